// RUN: %check_fearless_tidy %s fearless-guard-escape %t
//
// Real code: leveldb 1.23, util/cache.cc LRUCache::Lookup (and
// db/db_impl.cc DBImpl::GetSnapshot, the same shape): fearless-guard-escape
// says "pointer to data guarded by 'mutex_' escapes the scope of 'l'
// (returned from ...)". The returned pointer is the value stored in a
// guarded slot, not the address of guarded storage, and the reference count
// taken under the lock keeps the pointee alive; the pointee's fields read
// later are const or are touched under the lock again (Release). Expected:
// no finding. Remove the XFAIL line once fearless-guard-escape is quiet here.
#define LOCKABLE __attribute__((lockable))
#define SCOPED_LOCKABLE __attribute__((scoped_lockable))
#define GUARDED_BY(x) __attribute__((guarded_by(x)))
#define EXCLUSIVE_LOCK_FUNCTION(...) __attribute__((exclusive_lock_function(__VA_ARGS__)))
#define UNLOCK_FUNCTION(...) __attribute__((unlock_function(__VA_ARGS__)))

class LOCKABLE Mutex {
public:
  void Lock() EXCLUSIVE_LOCK_FUNCTION();
  void Unlock() UNLOCK_FUNCTION();
};

class SCOPED_LOCKABLE MutexLock {
public:
  explicit MutexLock(Mutex *mu) EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() UNLOCK_FUNCTION() { mu_->Unlock(); }

private:
  Mutex *const mu_;
};

struct Handle {
  int refs = 0;
  const int value = 0;
};

class HandleTable {
public:
  Handle *Lookup(int key) { return slots_[key & 15]; }

private:
  Handle *slots_[16] = {};
};

// A reference-counted handle found under the lock and returned: the pointer
// is the value of a guarded slot, not a pointer into guarded storage, and
// the count taken under the lock keeps the handle alive (leveldb's
// LRUCache::Lookup).
class Cache {
public:
  Handle *Lookup(int key) {
    MutexLock l(&mutex_);
    Handle *e = table_.Lookup(key);
    if (e != nullptr)
      ++e->refs;
    return e;
  }

private:
  Mutex mutex_;
  HandleTable table_ GUARDED_BY(mutex_);
};
