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

// leveldb's DBImpl::Get: a guard holds mutex_, and the function drops it by
// hand around the reads and takes it back before the guard's scope ends.
#define SCOPED_LOCKABLE __attribute__((scoped_lockable))
class SCOPED_LOCKABLE MutexLock {
public:
  explicit MutexLock(Mutex *mu) EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() UNLOCK_FUNCTION() { mu_->Unlock(); }

private:
  Mutex *mu_;
};

class Reader {
public:
  int Get() {
    MutexLock l(&mutex_);
    int v;
    {
      mutex_.Unlock();
      v = BuildTable();
      mutex_.Lock();
    }
    return v;
  }
  // Positive twin: taken again while the guard still holds it.
  int GetTwice() {
    MutexLock l(&mutex_);
    mutex_.Lock();
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'Reader::mutex_' acquired while it is already held: self-deadlock [fearless-lock-order]
    int v = BuildTable();
    mutex_.Unlock();
    return v;
  }

private:
  Mutex mutex_;
};

// leveldb's DBImpl::DoCompactionWork: it requires mutex_, drops it for the
// compaction, and calls OpenCompactionOutputFile, which locks mutex_ for a
// moment. The callee takes a lock the caller released: the caller's callers
// (BackgroundCompaction, holding mutex_) do not deadlock.
class Compactor {
public:
  void Background() {
    mutex_.Lock();
    Work();
    mutex_.Unlock();
  }
  // Positive twin: calls the locking callee without dropping mutex_ first.
  void BackgroundNoDrop() {
    mutex_.Lock();
    WorkNoDrop();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: call to 'Compactor::WorkNoDrop' acquires 'Compactor::mutex_', which is already held: self-deadlock [fearless-lock-order]
    mutex_.Unlock();
  }

private:
  void Work() EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    mutex_.Unlock();
    OpenOutput();
    mutex_.Lock();
  }
  void WorkNoDrop() { OpenOutput(); }
  void OpenOutput() {
    mutex_.Lock();
    ++outputs_;
    mutex_.Unlock();
  }
  Mutex mutex_;
  int outputs_ = 0;
};
