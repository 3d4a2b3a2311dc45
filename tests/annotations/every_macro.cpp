// Uses every annotation macro and checks the concepts' table.
// Compiled with g++ and clang++ at -Wall -Wextra -Werror (see CMakeLists.txt):
// the macros must compile to nothing, or to attributes, without a warning.
#include "fearless/annotations.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

namespace {

class FEARLESS_CAPABILITY("mutex") SpinLock {
public:
  void lock() FEARLESS_ACQUIRE() {}
  void unlock() FEARLESS_RELEASE() {}
  bool try_lock() FEARLESS_TRY_ACQUIRE(true) { return true; }
  void lock_shared() FEARLESS_ACQUIRE_SHARED() {}
  void unlock_shared() FEARLESS_RELEASE_SHARED() {}
  bool try_lock_shared() FEARLESS_TRY_ACQUIRE_SHARED(true) { return true; }
  void unlock_any() FEARLESS_RELEASE_GENERIC() {}
  void assert_held() const FEARLESS_ASSERT_CAPABILITY(this) {}
  void assert_reader() const FEARLESS_ASSERT_SHARED_CAPABILITY(this) {}
};

class FEARLESS_SCOPED_CAPABILITY Locker {
public:
  explicit Locker(SpinLock &mu) FEARLESS_ACQUIRE(mu) : mu_(mu) { mu.lock(); }
  ~Locker() FEARLESS_RELEASE() { mu_.unlock(); }

private:
  SpinLock &mu_;
};

class FEARLESS_CAPABILITY("mutex") FEARLESS_REENTRANT_CAPABILITY RecursiveSpinLock {
public:
  void lock() FEARLESS_ACQUIRE() {}
  void unlock() FEARLESS_RELEASE() {}
};

class FEARLESS_SCOPED_CAPABILITY RecursiveLocker {
public:
  explicit RecursiveLocker(RecursiveSpinLock &mu) FEARLESS_ACQUIRE(mu)
      : mu_(mu) {
    mu.lock();
  }
  ~RecursiveLocker() FEARLESS_RELEASE() { mu_.unlock(); }
  void unlock() FEARLESS_RELEASE() { mu_.unlock(); }

private:
  RecursiveSpinLock &mu_;
};

RecursiveSpinLock recursive_mu;
int recursive_count FEARLESS_GUARDED_BY(recursive_mu) = 0;

struct Flusher {
  // Releases the capability through the caller's guard (declared only: the
  // attribute must compile, nothing calls it).
  static void unlock_through(
      RecursiveLocker &lk FEARLESS_SCOPED_PARAM(FEARLESS_RELEASE(recursive_mu)));
};

// What re-entering and the parameter attribute mean is checked in
// thread_safety_verify.cpp (Clang 21+) and by the analyzer's tests; here
// they only have to compile with every compiler.
void bump_recursive() {
  RecursiveLocker lk(recursive_mu);
  ++recursive_count;
}

class Account {
public:
  void deposit(int n) FEARLESS_EXCLUDES(mu_) {
    Locker l(mu_);
    add(n);
  }
  int peek() FEARLESS_REQUIRES_SHARED(mu_) { return balance_; }
  SpinLock &mu() FEARLESS_RETURN_CAPABILITY(mu_) { return mu_; }
  // Safe: only called before the object is shared.
  void init() FEARLESS_NO_THREAD_SAFETY_ANALYSIS { balance_ = 0; }
  void legacy() FEARLESS_NO_THREAD_SAFETY_ANALYSIS_FIXME { balance_ = 1; }

private:
  void add(int n) FEARLESS_REQUIRES(mu_) { balance_ += n; *log_ += n; }
  SpinLock mu_;
  int balance_ FEARLESS_GUARDED_BY(mu_) = 0;
  int total_ = 0;
  int *log_ FEARLESS_PT_GUARDED_BY(mu_) = &total_;

public:
  SpinLock other_ FEARLESS_ACQUIRED_AFTER(mu_);
  SpinLock first_ FEARLESS_ACQUIRED_BEFORE(mu_);
};

void run_pool(FEARLESS_SPAWNS std::function<void()> job) { job(); }

class Rc {
  FEARLESS_NOT_SEND;
  FEARLESS_NOT_SYNC;
  int *count_ = nullptr;

public:
  int count() const { return *count_; }
};
class DerivedRc : public Rc {};

class Arena {
  FEARLESS_UNSAFE_SEND; // Safety: the test never dereferences it.
  FEARLESS_UNSAFE_SYNC;
};

class Registry {
public:
  FEARLESS_THREAD_SAFE;
};

template <class T> class Box {
  FEARLESS_SEND_IF(fearless::Send<T>);
  FEARLESS_SYNC_IF(fearless::Sync<T>);
  FEARLESS_THREAD_SAFE_IF(fearless::Send<T>);

public:
  T value{};
};

struct Plain {
  int x;
};

using namespace fearless;

// Scalars, strings and values.
static_assert(Send<int> && Sync<int> && !ThreadSafe<int>);
static_assert(Send<std::string> && Sync<std::string>);
static_assert(Send<Plain> && Sync<Plain> && !ThreadSafe<Plain>);
static_assert(Send<void (*)(int)>);
static_assert(ThreadSafe<const int>);

// Pointers and views: const access needs Sync, mutable access ThreadSafe.
static_assert(Send<const int *> && !Send<int *>);
static_assert(Send<std::string_view>);
static_assert(Send<std::span<const int>> && !Send<std::span<int>>);
static_assert(!Send<std::reference_wrapper<int>>);
static_assert(Send<std::reference_wrapper<std::mutex>>);

// Owning wrappers and containers follow their elements.
static_assert(Send<std::unique_ptr<int>> && !Send<std::unique_ptr<Rc>>);
static_assert(Send<std::vector<int>> && !Send<std::vector<Rc>>);
static_assert(!Send<std::optional<Rc>> && !Send<std::tuple<int, Rc>>);
static_assert(!Send<std::variant<int, Rc>> && !Send<std::map<int, Rc>>);
static_assert(!Send<std::array<Rc, 2>> && !Send<std::pair<Rc, int>>);
static_assert(!Sync<std::unique_ptr<int>>); // const is shallow
static_assert(Sync<std::unique_ptr<const int>>);

// shared_ptr is Arc: const pointee needs Sync, mutable pointee ThreadSafe.
static_assert(Send<std::shared_ptr<const int>> && !Send<std::shared_ptr<int>>);
static_assert(Send<std::shared_ptr<std::mutex>>);
static_assert(!Send<std::shared_ptr<const Rc>> && !Send<std::weak_ptr<int>>);

// Guards are not Send; synchronisation primitives are ThreadSafe.
static_assert(!Send<std::lock_guard<std::mutex>>);
static_assert(!Send<std::unique_lock<std::mutex>>);
static_assert(!Send<std::scoped_lock<std::mutex, std::mutex>>);
static_assert(!Send<std::shared_lock<std::shared_mutex>>);
static_assert(ThreadSafe<std::mutex> && ThreadSafe<std::atomic<int>>);
static_assert(ThreadSafe<std::condition_variable> && Sync<std::atomic_flag>);

// Markers, also through a base class.
static_assert(!Send<Rc> && !Sync<Rc> && !Send<DerivedRc>);
static_assert(Send<Arena> && Sync<Arena> && !ThreadSafe<Arena>);
static_assert(ThreadSafe<Registry> && Sync<Registry>);
static_assert(Send<std::shared_ptr<Registry>>);
static_assert(Send<Box<int>> && !Send<Box<Rc>> && !Sync<Box<Rc>>);
static_assert(ThreadSafe<Box<int>> && !ThreadSafe<Box<Rc>>);

} // namespace

int main() {
  Account a;
  a.init();
  a.legacy();
  a.deposit(1);
  run_pool([] {});
  bump_recursive();
  Rc rc;
  (void)sizeof(rc);
  Box<int> b;
  return b.value + a.mu().try_lock() - 1;
}
