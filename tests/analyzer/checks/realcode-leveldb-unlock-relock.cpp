// RUN: %check_fearless_tidy %s fearless-lock-order %t
//
// Real code: leveldb 1.23, db/db_impl.cc: WriteLevel0Table and
// RemoveObsoleteFiles are EXCLUSIVE_LOCKS_REQUIRED(mutex_) and drop the lock
// around I/O with mutex_.Unlock() ... mutex_.Lock(). Since lock-order learnt
// annotated Lock()/Unlock() (this tree, 2026-11-22), every caller gets "call
// to 'leveldb::DBImpl::WriteLevel0Table' acquires 'leveldb::DBImpl::mutex_',
// which is already held: self-deadlock" (13 findings in leveldb; none
// before). The callee releases the mutex before taking it again: no finding.

#define LOCKABLE __attribute__((lockable))
#define EXCLUSIVE_LOCK_FUNCTION(...) __attribute__((exclusive_lock_function(__VA_ARGS__)))
#define UNLOCK_FUNCTION(...) __attribute__((unlock_function(__VA_ARGS__)))
#define EXCLUSIVE_LOCKS_REQUIRED(...) __attribute__((exclusive_locks_required(__VA_ARGS__)))

class LOCKABLE Mutex {
public:
  void Lock() EXCLUSIVE_LOCK_FUNCTION();
  void Unlock() UNLOCK_FUNCTION();
};

int BuildTable();

// WriteLevel0Table drops the lock around the I/O and takes it back: it
// re-acquires a mutex it released, it does not acquire one it holds
// (leveldb's DBImpl::WriteLevel0Table, called from CompactMemTable,
// RecoverLogFile, ...).
class DB {
public:
  void CompactMemTable() EXCLUSIVE_LOCKS_REQUIRED(mutex_) { WriteLevel0Table(); }

private:
  void WriteLevel0Table() EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    mutex_.Unlock();
    built_ = BuildTable();
    mutex_.Lock();
  }
  Mutex mutex_;
  int built_ = 0;
};

// The same without the annotation on the callee: it releases the mutex its
// caller holds before taking it again, so it still does not acquire it.
class Unannotated {
public:
  void Compact() EXCLUSIVE_LOCKS_REQUIRED(mutex_) { Flush(); }

private:
  void Flush() {
    mutex_.Unlock();
    built_ = BuildTable();
    mutex_.Lock();
  }
  Mutex mutex_;
  int built_ = 0;
};

// Positive twin: a callee that takes the mutex without releasing it first.
class Deadlocks {
public:
  void Compact() EXCLUSIVE_LOCKS_REQUIRED(mutex_) { Refresh(); }
  // CHECK-MESSAGES: :[[@LINE-1]]:53: warning: call to 'Deadlocks::Refresh' acquires 'Deadlocks::mutex_', which is already held: self-deadlock [fearless-lock-order]

private:
  void Refresh() {
    mutex_.Lock();
    built_ = BuildTable();
    mutex_.Unlock();
  }
  Mutex mutex_;
  int built_ = 0;
};
