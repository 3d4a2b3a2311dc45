// RUN: %check_fearless_tidy %s fearless-guard-escape %t

#include "fearless/mutex.h"
#include "fearless/rwlock.h"
#include "fearless/thread_safety.h"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

// --- fearless guards ---------------------------------------------------------
struct Config {
  std::string name;
  std::vector<int> ports;
  int retries = 0;
};

class Settings {
public:
  const std::string &name() {
    auto guard = config_.lock();
    return guard->name;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: reference to data guarded by 'config_' escapes the scope of 'guard' (returned from 'Settings::name') [fearless-guard-escape]
  }
  // Negative: a copy of the value.
  std::string nameCopy() {
    auto guard = config_.lock();
    return guard->name;
  }
  int retries() {
    auto guard = config_.lock();
    int v = guard->retries; // Negative: a copy
    const Config &c = *guard; // Negative: used only while the guard lives
    return v + c.retries;
  }
  // Negative: the guard itself moves out with the data it protects.
  fearless::MutexGuard<Config> locked() { return config_.lock(); }

  int *retriesPtr() {
    auto guard = config_.lock();
    return &guard->retries;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: pointer to data guarded by 'config_' escapes the scope of 'guard' (returned from 'Settings::retriesPtr') [fearless-guard-escape]
  }
  std::vector<int>::iterator firstPort() {
    auto guard = config_.lock();
    return guard->ports.begin();
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: iterator to data guarded by 'config_' escapes the scope of 'guard' (returned from 'Settings::firstPort') [fearless-guard-escape]
  }
  std::string_view view() {
    auto guard = config_.lock();
    std::string_view sv = guard->name;
    return sv;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: view to data guarded by 'config_' escapes the scope of 'guard' (returned from 'Settings::view') [fearless-guard-escape]
  }
  void remember() {
    auto guard = config_.lock();
    last_ = &guard->name;
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: pointer to data guarded by 'config_' escapes the scope of 'guard' (stored in member 'last_') [fearless-guard-escape]
  }
  void collect(std::vector<const int *> &out) {
    auto guard = config_.lock();
    for (const int &p : guard->ports)
      out.push_back(&p);
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: pointer to data guarded by 'config_' escapes the scope of 'guard' (stored in container 'out', which outlives it) [fearless-guard-escape]
  }
  // Negative: the container dies before the guard.
  int sumPorts() {
    auto guard = config_.lock();
    std::vector<const int *> ptrs;
    for (const int &p : guard->ports)
      ptrs.push_back(&p);
    int sum = 0;
    for (const int *p : ptrs)
      sum += *p;
    return sum;
  }

private:
  fearless::Mutex<Config> config_;
  const std::string *last_ = nullptr;
};

int outerScope(fearless::RwLock<std::vector<int>> &lock) {
  const int *first = nullptr;
  {
    auto reader = lock.read();
    first = &(*reader)[0];
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: pointer to data guarded by 'lock' escapes the scope of 'reader' (stored in 'first', which outlives it) [fearless-guard-escape]
  }
  return *first;
}

// Negative: the pointer lives in the guard's own scope.
int sameScope(fearless::RwLock<std::vector<int>> &lock) {
  auto writer = lock.write();
  int *first = &(*writer)[0];
  *first = 1;
  return *first;
}

std::function<int()> lazy(fearless::Mutex<int> &m) {
  auto guard = m.lock();
  int &value = *guard;
  return [&value] { return value; };
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: callable capturing a reference to data guarded by 'm' escapes the scope of 'guard' (returned from 'lazy') [fearless-guard-escape]
}

// Negative: a lambda called while the guard lives.
int eager(fearless::Mutex<int> &m) {
  auto guard = m.lock();
  int &value = *guard;
  auto get = [&value] { return value; };
  return get();
}

void toThread(fearless::Mutex<std::vector<int>> &m) {
  auto guard = m.lock();
  std::vector<int> *items = &*guard;
  std::thread t([items] { items->push_back(1); });
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: lambda capturing a reference to data guarded by 'm' escapes the scope of 'guard' (passed to a thread started by 'std::thread') [fearless-guard-escape]
  t.detach();
}

// --- GUARDED_BY data under a standard lock -----------------------------------
class Cache {
public:
  const std::map<int, int> &get() {
    std::lock_guard<std::mutex> lock(mu_);
    return map_;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: reference to data guarded by 'mu_' escapes the scope of 'lock' (returned from 'Cache::get') [fearless-guard-escape]
  }
  const int *find(int k) {
    std::scoped_lock lock(mu_);
    auto it = map_.find(k);
    return it == map_.end() ? nullptr : &it->second;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: pointer to data guarded by 'mu_' escapes the scope of 'lock' (returned from 'Cache::find') [fearless-guard-escape]
  }
  // Negative: copies.
  std::map<int, int> snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return map_;
  }
  int lookup(int k) {
    std::unique_lock<std::mutex> lock(mu_);
    auto it = map_.find(k);
    return it == map_.end() ? 0 : it->second;
  }
  // Negative: returned under a REQUIRES contract: no local guard ends here.
  const std::map<int, int> &locked() FEARLESS_REQUIRES(mu_) { return map_; }
  // Negative: the field is not GUARDED_BY.
  const std::string &label() {
    std::lock_guard<std::mutex> lock(mu_);
    return label_;
  }

private:
  std::mutex mu_;
  std::map<int, int> map_ FEARLESS_GUARDED_BY(mu_);
  std::string label_;
};

std::mutex global_mu;
std::vector<int> global_items FEARLESS_GUARDED_BY(global_mu);
std::vector<int>::iterator saved;

void storeGlobal() {
  std::lock_guard<std::mutex> lock(global_mu);
  saved = global_items.begin();
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: iterator to data guarded by 'global_mu' escapes the scope of 'lock' (stored in global 'saved') [fearless-guard-escape]
}

// --- more ways out, and more that stay in ------------------------------------
void outParam(fearless::Mutex<int> &m, int **out) {
  auto guard = m.lock();
  *out = &*guard;
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: pointer to data guarded by 'm' escapes the scope of 'guard' (stored in 'out', which outlives it) [fearless-guard-escape]
}

int *staticLocal(fearless::Mutex<int> &m) {
  auto guard = m.lock();
  static int *cached = &*guard;
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: pointer to data guarded by 'm' escapes the scope of 'guard' (stored in static 'cached') [fearless-guard-escape]
  return nullptr;
}

std::function<void()> capturesGuard(fearless::Mutex<int> &m) {
  auto guard = m.lock();
  return [&guard] { *guard += 1; };
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: callable capturing a reference to data guarded by 'm' escapes the scope of 'guard' (returned from 'capturesGuard') [fearless-guard-escape]
}

// Negative: the guard moves out, with the right to the data.
std::unique_lock<std::mutex> moveOut(std::mutex &mu) {
  std::unique_lock<std::mutex> lk(mu);
  return lk;
}

// Negative: a guard that is a parameter outlives the function.
int &throughParam(fearless::MutexGuard<int> &guard) { return *guard; }

// Negative: loops, and a lambda used in place.
int inPlace(fearless::Mutex<std::vector<int>> &m) {
  auto guard = m.lock();
  int sum = 0;
  for (int &v : *guard)
    sum += v;
  auto add = [&](int v) { guard->push_back(v); };
  add(sum);
  return sum;
}

class Shared {
public:
  const std::string &name() const {
    std::shared_lock<std::shared_mutex> lock(mu_);
    return name_;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: reference to data guarded by 'mu_' escapes the scope of 'lock' (returned from 'Shared::name') [fearless-guard-escape]
  }
  // Negative: deferred lock guards nothing yet; the warning there is
  // fearless-guarded-by's.
  void reset() {
    std::unique_lock<std::mutex> later(other_mu_, std::defer_lock);
    std::lock_guard<std::shared_mutex> lock(mu_);
    name_.clear();
  }

private:
  mutable std::shared_mutex mu_;
  std::mutex other_mu_;
  std::string name_ FEARLESS_GUARDED_BY(mu_);
};

// Callables that keep a borrow: stored in a member, pushed into a container.
class Events {
public:
  void watch(fearless::Mutex<int> &m) {
    auto guard = m.lock();
    int &value = *guard;
    onChange_ = [&value] { ++value; };
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: callable capturing a reference to data guarded by 'm' escapes the scope of 'guard' (stored in member 'onChange_') [fearless-guard-escape]
    handlers_.push_back([&value] { value = 0; });
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: callable capturing a reference to data guarded by 'm' escapes the scope of 'guard' (stored in member container 'handlers_') [fearless-guard-escape]
  }
  // Negative: the callable copies the value.
  void snapshot(fearless::Mutex<int> &m) {
    auto guard = m.lock();
    int value = *guard;
    onChange_ = [value] { (void)value; };
  }

private:
  std::function<void()> onChange_;
  std::vector<std::function<void()>> handlers_;
};

// Negative: the guard itself crossing into a thread is
// fearless-guard-not-send's finding, not a borrow of the data.
void guardIntoThread(fearless::Mutex<int> &m, std::mutex &mu) {
  auto guard = m.lock();
  std::thread a([&guard] { *guard += 1; });
  std::unique_lock<std::mutex> lk(mu);
  std::thread b([&lk] { lk.unlock(); });
  a.join();
  b.join();
}

// A container of pointers filled in the guard's scope and returned.
std::vector<const int *> pointers(fearless::Mutex<std::vector<int>> &m) {
  auto guard = m.lock();
  std::vector<const int *> result;
  for (const int &v : *guard)
    result.push_back(&v);
  return result;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: value holding a reference to data guarded by 'm' escapes the scope of 'guard' (returned from 'pointers') [fearless-guard-escape]
}
// Negative: a container of copies.
std::vector<int> values(fearless::Mutex<std::vector<int>> &m) {
  auto guard = m.lock();
  std::vector<int> result;
  for (const int &v : *guard)
    result.push_back(v);
  return result;
}

// Pointers handed out by the guarded object itself.
class Owner {
public:
  const char *label() {
    std::lock_guard<std::mutex> lock(mu_);
    return label_.c_str();
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: pointer to data guarded by 'mu_' escapes the scope of 'lock' (returned from 'Owner::label') [fearless-guard-escape]
  }
  // Negative: the pointee of a guarded smart pointer is not what mu_
  // protects (PT_GUARDED_BY would say so).
  int *item() {
    std::lock_guard<std::mutex> lock(mu_);
    return item_.get();
  }
  int *itemField() {
    std::lock_guard<std::mutex> lock(mu_);
    return &*item_;
  }
  // Negative: the same for a shared_ptr element of a guarded vector (the
  // runtime's own Scope::join_all; libstdc++'s shared_ptr::get() is a
  // member of a base class). Before: "pointer to data guarded by 'mu_'
  // escapes the scope of 'lock'".
  int *shared(std::size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return shared_[i].get();
  }
  // Positive beside it: a pointer to the element itself.
  std::shared_ptr<int> *sharedSlot(std::size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return &shared_[i];
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: pointer to data guarded by 'mu_' escapes the scope of 'lock' (returned from 'Owner::sharedSlot') [fearless-guard-escape]
  }

private:
  std::mutex mu_;
  std::string label_ FEARLESS_GUARDED_BY(mu_);
  std::unique_ptr<int> item_ FEARLESS_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<int>> shared_ FEARLESS_GUARDED_BY(mu_);
};

// --- temporary guards (Rust's E0716) -------------------------------------------
// `m.lock()` not bound to a variable unlocks at the end of the statement: a
// borrow of its data that outlives the statement escapes it.
namespace temporaries {
fearless::Mutex<long> counter{0L};
fearless::Mutex<Config> config;
long *kept;

void borrows() {
  long &count = *counter.lock();
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: reference to data guarded by 'counter' outlives the temporary guard that locks it (bound to 'count'); the lock is released at the end of the statement [fearless-guard-escape]
  ++count;
  std::string_view name = config.lock()->name;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: view to data guarded by 'config' outlives the temporary guard that locks it (bound to 'name'); the lock is released at the end of the statement [fearless-guard-escape]
  kept = &*counter.lock();
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: pointer to data guarded by 'counter' outlives the temporary guard that locks it (stored in global 'kept'); the lock is released at the end of the statement [fearless-guard-escape]
  (void)name;
}
long &returned() {
  return *counter.lock();
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: reference to data guarded by 'counter' outlives the temporary guard that locks it (returned from 'temporaries::returned'); the lock is released at the end of the statement [fearless-guard-escape]
}
void throughSharedPtr(std::shared_ptr<fearless::Mutex<long>> p) {
  long &r = *p->lock();
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: reference to data guarded by 'p' outlives the temporary guard that locks it (bound to 'r'); the lock is released at the end of the statement [fearless-guard-escape]
  ++r;
}
// Negative: copies, uses within the statement, and a named guard.
void fine() {
  long copy = *counter.lock();
  *counter.lock() += 1;
  int retries = config.lock()->retries;
  std::size_t ports = config.lock()->ports.size();
  auto guard = counter.lock();
  long &held = *guard;
  ++held;
  (void)copy;
  (void)retries;
  (void)ports;
}
} // namespace temporaries

// A std::function copied out of a guarded queue (muduo's ThreadPool::take)
// holds no reference into the queue; a lambda that captures the queue does.
namespace callables {
class Pool {
public:
  std::function<void()> take() {
    std::lock_guard<std::mutex> lock(mu_);
    std::function<void()> task;
    if (!queue_.empty()) {
      task = queue_.front();
      queue_.pop_front();
    }
    return task;
  }
  std::function<size_t()> sizer() {
    std::lock_guard<std::mutex> lock(mu_);
    std::function<size_t()> f = [this] { return queue_.size(); };
    return [&q = queue_] { return q.size(); };
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: callable capturing a reference to data guarded by 'mu_' escapes the scope of 'lock' (returned from 'callables::Pool::sizer') [fearless-guard-escape]
  }

private:
  std::mutex mu_;
  std::deque<std::function<void()>> queue_ FEARLESS_GUARDED_BY(mu_);
};
} // namespace callables
