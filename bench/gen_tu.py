#!/usr/bin/env python3
"""gen_tu.py N - print a large, correct C++20 translation unit for the
analyzer benchmark: N "units", each a class with a std::mutex and guarded
fields, locked member functions (lock_guard, unique_lock, scoped_lock),
a fearless::Mutex<T>, lambdas run under a lock and lambdas handed to
threads, a class template instantiated twice, and spawn sites whose
captures the Send/Sync checks must classify. The code is meant to be
clean: the benchmark measures the cost of looking, not of reporting.
"""

import sys

HEADER = """\
#include <fearless/annotations.h>
#include <fearless/mutex.h>
#include <fearless/thread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

template <class T> class Box {
 public:
  void put(T v) {
    std::lock_guard<std::mutex> lk(mu_);
    items_.push_back(std::move(v));
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> lk(mu_);
    return items_.size();
  }
 private:
  mutable std::mutex mu_;
  std::vector<T> items_ FEARLESS_GUARDED_BY(mu_);
};
"""

UNIT = """\
class Unit{i} {{
 public:
  void add(int v) {{
    std::lock_guard<std::mutex> lk(mu_);
    total_ += v;
    hist_[v % 7] += 1;
  }}
  int total() const {{
    std::unique_lock<std::mutex> lk(mu_);
    return total_;
  }}
  void merge(Unit{i} &other) {{
    std::scoped_lock lk(mu_, other.mu_);
    total_ += other.total_;
  }}
  int sum_sorted() {{
    std::lock_guard<std::mutex> lk(mu_);
    std::vector<int> keys;
    for (const auto &kv : hist_) keys.push_back(kv.first);
    std::sort(keys.begin(), keys.end(), [&](int a, int b) {{ return hist_[a] < hist_[b]; }});
    int s = 0;
    std::for_each(keys.begin(), keys.end(), [&](int k) {{ s += hist_[k]; }});
    return s;
  }}
  void wait_ready() {{
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] {{ return ready_; }});
  }}
  void set_ready() {{
    {{
      std::lock_guard<std::mutex> lk(mu_);
      ready_ = true;
    }}
    cv_.notify_all();
  }}
  std::string name() const {{
    std::shared_lock<std::shared_mutex> lk(names_mu_);
    return name_;
  }}
 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int total_ FEARLESS_GUARDED_BY(mu_) = 0;
  bool ready_ FEARLESS_GUARDED_BY(mu_) = false;
  std::map<int, int> hist_ FEARLESS_GUARDED_BY(mu_);
  mutable std::shared_mutex names_mu_;
  std::string name_ FEARLESS_GUARDED_BY(names_mu_) = "u{i}";
}};

inline int run{i}(int n) {{
  auto unit = std::make_shared<Unit{i}>();
  auto counter = std::make_shared<fearless::Mutex<int>>(0);
  std::atomic<int> hits{{0}};
  std::vector<int> data(static_cast<std::size_t>(n), {i});
  Box<int> ints;
  Box<std::string> strings;
  ints.put(n);
  strings.put("s{i}");
  std::thread producer([unit, counter, data = std::move(data)] {{
    for (int v : data) {{
      unit->add(v);
      *counter->lock() += v;
    }}
  }});
  {{
    std::jthread watcher([&hits, unit] {{ hits += unit->total(); }});
  }}
  auto f = std::async(std::launch::async, [unit] {{ return unit->sum_sorted(); }});
  fearless::scope([&](fearless::Scope &s) {{
    s.spawn([&] {{ hits.fetch_add(1); }});
    s.spawn([&ints] {{ ints.put(1); }});
  }});
  producer.join();
  return f.get() + hits.load() + static_cast<int>(ints.size() + strings.size()) + *counter->lock();
}}
"""


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        print("usage: gen_tu.py N  (N >= 1 units)", file=sys.stderr)
        return 2
    n = int(sys.argv[1])
    out = [HEADER]
    out += [UNIT.format(i=i) for i in range(n)]
    out.append("int main() {\n  int s = 0;\n")
    out += [f"  s += run{i}({i % 5 + 1});\n" for i in range(n)]
    out.append("  return s == 0;\n}\n")
    sys.stdout.write("".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
