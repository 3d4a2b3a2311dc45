// Uses every annotation macro and checks the traits' table.
// Compiled with g++ and clang++ at C++11, 14, 17 and 20 with -Wall -Wextra
// -pedantic -Werror (see tests/CMakeLists.txt): the macros must compile to
// nothing, or to attributes, without a warning at every level; the traits
// (IsSend<T>, ...) answer the same at every level, is_send_v<T> (C++14) and
// the concepts (C++20) agree with them.
#include "fearless/annotations.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>
#if __cplusplus >= 201402L
#include <shared_mutex>
#endif
#if __cplusplus >= 201703L
#include <optional>
#include <string_view>
#include <variant>
#endif
#if __cplusplus >= 202002L
#include <span>
#endif

#define CHECK(...) static_assert(__VA_ARGS__, #__VA_ARGS__)

// Send<T>, Sync<T>, ThreadSafe<T>: the trait, and where the level has them
// the variable template and the concept, which must agree with it.
#if __cplusplus >= 202002L
#define AGREE(prop, var, ...)                                                  \
  (fearless::prop<__VA_ARGS__> == fearless::Is##prop<__VA_ARGS__>::value &&   \
   fearless::var<__VA_ARGS__> == fearless::Is##prop<__VA_ARGS__>::value)
#elif __cplusplus >= 201402L
#define AGREE(prop, var, ...)                                                  \
  (fearless::var<__VA_ARGS__> == fearless::Is##prop<__VA_ARGS__>::value)
#else
#define AGREE(prop, var, ...) true
#endif
#define SEND(...)                                                              \
  (AGREE(Send, is_send_v, __VA_ARGS__) && fearless::IsSend<__VA_ARGS__>::value)
#define SYNC(...)                                                              \
  (AGREE(Sync, is_sync_v, __VA_ARGS__) && fearless::IsSync<__VA_ARGS__>::value)
#define THREAD_SAFE(...)                                                       \
  (AGREE(ThreadSafe, is_thread_safe_v, __VA_ARGS__) &&                         \
   fearless::IsThreadSafe<__VA_ARGS__>::value)

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

struct FEARLESS_RESUMES_ELSEWHERE ScheduleOnPool {
  bool ready = false;
};

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

// The conditional markers take the concept from C++20, the trait before.
template <class T> class Box {
#if __cplusplus >= 202002L
  FEARLESS_SEND_IF(fearless::Send<T>);
  FEARLESS_SYNC_IF(fearless::Sync<T>);
  FEARLESS_THREAD_SAFE_IF(fearless::Send<T>);
#else
  FEARLESS_SEND_IF(fearless::IsSend<T>::value);
  FEARLESS_SYNC_IF(fearless::IsSync<T>::value);
  FEARLESS_THREAD_SAFE_IF(fearless::IsSend<T>::value);
#endif

public:
  T value{};
};

struct Plain {
  int x;
};

// Scalars, strings and values.
CHECK(SEND(int) && SYNC(int) && !THREAD_SAFE(int));
CHECK(SEND(std::string) && SYNC(std::string));
CHECK(SEND(Plain) && SYNC(Plain) && !THREAD_SAFE(Plain));
CHECK(SEND(void (*)(int)));
CHECK(THREAD_SAFE(const int));

// Pointers and views: const access needs Sync, mutable access ThreadSafe.
CHECK(SEND(const int *) && !SEND(int *));
CHECK(!SEND(std::reference_wrapper<int>));
CHECK(SEND(std::reference_wrapper<std::mutex>));
#if __cplusplus >= 201703L
CHECK(SEND(std::string_view));
#endif
#if __cplusplus >= 202002L
CHECK(SEND(std::span<const int>) && !SEND(std::span<int>));
#endif

// Owning wrappers and containers follow their elements.
CHECK(SEND(std::unique_ptr<int>) && !SEND(std::unique_ptr<Rc>));
CHECK(SEND(std::vector<int>) && !SEND(std::vector<Rc>));
CHECK(!SEND(std::tuple<int, Rc>) && !SEND(std::map<int, Rc>));
CHECK(!SEND(std::array<Rc, 2>) && !SEND(std::pair<Rc, int>));
CHECK(!SYNC(std::unique_ptr<int>)); // const is shallow
CHECK(SYNC(std::unique_ptr<const int>));
#if __cplusplus >= 201703L
CHECK(!SEND(std::optional<Rc>) && !SEND(std::variant<int, Rc>));
#endif

// shared_ptr is Arc: const pointee needs Sync, mutable pointee ThreadSafe.
CHECK(SEND(std::shared_ptr<const int>) && !SEND(std::shared_ptr<int>));
CHECK(SEND(std::shared_ptr<std::mutex>));
CHECK(!SEND(std::shared_ptr<const Rc>) && !SEND(std::weak_ptr<int>));

// Guards are not Send; synchronisation primitives are ThreadSafe.
CHECK(!SEND(std::lock_guard<std::mutex>));
CHECK(!SEND(std::unique_lock<std::mutex>));
CHECK(THREAD_SAFE(std::mutex) && THREAD_SAFE(std::atomic<int>));
CHECK(THREAD_SAFE(std::condition_variable) && SYNC(std::atomic_flag));
#if __cplusplus >= 201402L
CHECK(!SEND(std::shared_lock<std::shared_timed_mutex>));
CHECK(THREAD_SAFE(std::shared_timed_mutex));
#endif
#if __cplusplus >= 201703L
CHECK(!SEND(std::scoped_lock<std::mutex, std::mutex>));
CHECK(!SEND(std::shared_lock<std::shared_mutex>));
CHECK(THREAD_SAFE(std::shared_mutex));
#endif

// Markers, also through a base class.
CHECK(!SEND(Rc) && !SYNC(Rc) && !SEND(DerivedRc));
CHECK(SEND(Arena) && SYNC(Arena) && !THREAD_SAFE(Arena));
CHECK(THREAD_SAFE(Registry) && SYNC(Registry));
CHECK(SEND(std::shared_ptr<Registry>));
CHECK(SEND(Box<int>) && !SEND(Box<Rc>) && !SYNC(Box<Rc>));
CHECK(THREAD_SAFE(Box<int>) && !THREAD_SAFE(Box<Rc>));

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
