// The compile errors Rust gives for Rc and Cell/RefCell across threads, and
// what fearless reports for their C++ counterparts:
//   Rc sent to a thread         -> fearless-send ("'Rc<int>' is not Send")
//   Cell shared by reference    -> fearless-shared-ref ("'Cell' is not Sync")
#include "fearless/annotations.h"

#include <atomic>
#include <memory>
#include <thread>

namespace rc_cell {

// Rc<T>: shared ownership with a non-atomic count.
template <class T> class Rc {
  FEARLESS_NOT_SEND;
  FEARLESS_NOT_SYNC;

public:
  explicit Rc(T value) : box_(new Box{value, 1}) {}
  Rc(const Rc &other) : box_(other.box_) { ++box_->count; }
  Rc &operator=(const Rc &) = delete;
  ~Rc() {
    if (--box_->count == 0)
      delete box_;
  }
  const T &get() const { return box_->value; }

private:
  struct Box {
    T value;
    long count;
  };
  Box *box_;
};

// Cell<T>: interior mutability through a const reference, unsynchronised.
class Cell {
public:
  void set(int v) const { value_ = v; }
  int get() const { return value_; }

private:
  mutable int value_ = 0;
};

// Buggy (Rust: "`Rc<i32>` cannot be sent between threads safely").
void buggy_rc() {
  Rc<int> shared(5);
  std::thread worker([copy = shared] { (void)copy.get(); });
  worker.join();
}

// Correct (Rust: Arc<i32>).
void correct_arc() {
  auto shared = std::make_shared<const int>(5);
  std::thread worker([copy = shared] { (void)*copy; });
  worker.join();
}

// Buggy (Rust: "`Cell<i32>` cannot be shared between threads safely").
void buggy_cell(const Cell &cell) {
  std::thread worker([&cell] { cell.set(1); });
  worker.join();
}

// Correct (Rust: AtomicI32).
class AtomicCell {
public:
  void set(int v) const { value_ = v; }
  int get() const { return value_; }

private:
  mutable std::atomic<int> value_{0};
};
void correct_cell(const AtomicCell &cell) {
  std::thread worker([&cell] { cell.set(1); });
  worker.join();
}

} // namespace rc_cell
