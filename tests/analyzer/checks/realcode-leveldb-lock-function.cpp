// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t
//
// Real code: leveldb 1.23, db/db_impl.cc, DBImpl::NewInternalIterator reads
// 'mem_' between mutex_.Lock() and mutex_.Unlock() (port::Mutex, whose
// Lock() is EXCLUSIVE_LOCK_FUNCTION), yet fearless-missing-guarded-by says
// "'mem_' is written with 'mutex_' held in 3 of 3 places; read without it in
// 'leveldb::DBImpl::NewInternalIterator'". Reduced below: the read in
// Table::Read is under the lock. Expected: no finding (the field is always
// accessed with 'mutex_' held). Remove the XFAIL line once it is quiet here.
#define LOCKABLE __attribute__((lockable))
#define SCOPED_LOCKABLE __attribute__((scoped_lockable))
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

class Table {
public:
  void Replace(int *fresh) {
    MutexLock l(&mutex_);
    mem_ = fresh;
  }
  // Read with the lock held through Lock()/Unlock(), not a guard.
  int Read() {
    mutex_.Lock();
    int v = *mem_;
    mutex_.Unlock();
    return v;
  }

private:
  Mutex mutex_;
  int *mem_ = nullptr;
};
