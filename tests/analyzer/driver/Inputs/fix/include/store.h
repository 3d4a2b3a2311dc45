// --fix test project (fix.test): which fields and helpers get annotated.
#ifndef FX_STORE_H
#define FX_STORE_H

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace fx {

// Locks internally: a Journal member needs no guard of its owner's.
class Journal {
public:
  void add(const std::string &Line) {
    std::lock_guard<std::mutex> Lock(mu_);
    lines_.push_back(Line);
  }
  std::size_t size() {
    std::lock_guard<std::mutex> Lock(mu_);
    return lines_.size();
  }

private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

class Store {
public:
  explicit Store(int Capacity);
  void put(int Key);
  int total();
  int peek() const;
  int limit(int N);

private:
  void bump(int Key);
  int clamp(int N);

  mutable std::mutex mu_;
  std::vector<int> keys_;
  int hits_ = 0;
  const int capacity_;
  int generation_ = 0;
  mutable std::atomic<int> reads_{0};
  Journal journal_;
};

} // namespace fx

#endif // FX_STORE_H
