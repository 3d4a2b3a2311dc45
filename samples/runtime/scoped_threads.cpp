// Scoped threads borrow a local vector: fearless::scope joins them all
// before it returns, so references into `data` cannot dangle.
//
// Rust:
//   thread::scope(|s| { for chunk in data.chunks(n) { s.spawn(|| sum(chunk)); }
//   });
#include "fearless/thread.h"

#include <cstdio>
#include <numeric>
#include <span>
#include <vector>

int main() {
  std::vector<int> data(1000);
  std::iota(data.begin(), data.end(), 1);

  long total = fearless::scope([&](fearless::Scope &s) {
    std::vector<fearless::ScopedJoinHandle<long>> parts;
    std::span<const int> all(data);
    for (std::size_t at = 0; at < all.size(); at += 250) {
      std::span<const int> chunk = all.subspan(at, 250); // borrowed
      parts.push_back(s.spawn(
          [chunk] { return std::accumulate(chunk.begin(), chunk.end(), 0L); }));
    }
    long sum = 0;
    for (auto &p : parts)
      sum += p.join();
    return sum;
  });
  std::printf("4 scoped threads summed 1..%zu: %ld\n", data.size(), total);
  return total == 500500 ? 0 : 1;
}
