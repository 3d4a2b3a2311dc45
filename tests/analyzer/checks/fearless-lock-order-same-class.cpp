// RUN: %check_fearless_tidy -check-suffixes=ON %s fearless-lock-order %t
// RUN: %check_fearless_tidy -check-suffixes=OFF %s fearless-lock-order %t \
// RUN:   --config="{CheckOptions: {fearless-lock-order.SameClassNesting: false}}"

// Two objects' locks of one class nested (lockdep's "possible recursive
// locking"): a transfer between two accounts that locks the source, then
// the destination, deadlocks with the opposite transfer. Reported by
// default; SameClassNesting: false silences it (for code that always nests
// in one order, such as parent before child). A self-deadlock is never
// silenced.
#include <memory>
#include <mutex>

class Account {
public:
  void transfer(Account &to, int amount) {
    std::lock_guard<std::mutex> mine(mu_);
    std::lock_guard<std::mutex> theirs(to.mu_);
    // CHECK-MESSAGES-ON: :[[@LINE-1]]:33: warning: 'Account::mu_' of another object acquired while one is held: possible recursive locking; two threads nesting the same two objects' locks in opposite orders deadlock [fearless-lock-order]
    balance_ -= amount;
    to.balance_ += amount;
  }
  // Negative: std::scoped_lock takes both without an order between them.
  void transferSafely(Account &to, int amount) {
    std::scoped_lock both(mu_, to.mu_);
    balance_ -= amount;
    to.balance_ += amount;
  }

private:
  std::mutex mu_;
  int balance_ = 0;
};

// A locking decorator forwarding to the object it wraps through the base
// interface (rocksdb's ConcurrentCacheReservationManager): not nesting.
namespace decorator {
struct Manager {
  virtual ~Manager() = default;
  virtual void update(int n) = 0;
  virtual int total() = 0;
};
struct Impl : Manager {
  void update(int n) override { sum += n; }
  int total() override { return sum; }
  int sum = 0;
};
struct Concurrent : Manager {
  explicit Concurrent(std::shared_ptr<Manager> m) : inner(std::move(m)) {}
  void update(int n) override {
    std::lock_guard<std::mutex> lock(mu);
    int t = inner->total(); // another method of the wrapped object
    inner->update(n + t);
  }
  int total() override {
    std::lock_guard<std::mutex> lock(mu);
    return inner->total();
  }
  // Another object of the same class, called directly: still nesting.
  void merge(Concurrent &other) {
    std::lock_guard<std::mutex> lock(mu);
    other.update(1);
    // CHECK-MESSAGES-ON: :[[@LINE-1]]:11: warning: call to 'decorator::Concurrent::update' acquires 'decorator::Concurrent::mu' of another object while one is held: possible recursive locking; two threads nesting the same two objects' locks in opposite orders deadlock [fearless-lock-order]
  }
  std::mutex mu;
  std::shared_ptr<Manager> inner;
};
} // namespace decorator
