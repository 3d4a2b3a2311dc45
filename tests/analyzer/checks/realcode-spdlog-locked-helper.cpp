// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t
//
// Real code: spdlog 1.10.0, include/spdlog/details/registry-inl.h:
// registry::throw_if_exists_ (and register_logger_) read and write
// 'loggers_' without taking 'logger_map_mutex_' because every caller holds
// it; fearless-missing-guarded-by says "'loggers_' is written with
// 'logger_map_mutex_' held in 4 of 5 places; read without it in
// 'spdlog::details::registry::throw_if_exists_'". Reduced below: a private
// helper whose every caller in the class holds the lock runs with it held.

#include <mutex>

class Registry {
public:
  void add(int key) {
    std::lock_guard<std::mutex> l(mu_);
    check_absent(key);
    keys_[key & 7] = key;
  }

private:
  void check_absent(int key) {
    if (keys_[key & 7] == key)
      throw key;
  }
  std::mutex mu_;
  int keys_[8] = {};
};

// Positive twin: one caller does not hold the lock, so the helper's read is
// unguarded there.
class Sloppy {
public:
  void add(int key) {
    std::lock_guard<std::mutex> l(mu_);
    check_absent(key);
    keys_[key & 7] = key;
  }
  void probe(int key) { check_absent(key); }

private:
  void check_absent(int key) {
    if (keys_[key & 7] == key)
      throw key;
  }
  std::mutex mu_;
  int keys_[8] = {};
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'keys_' is written with 'mu_' held in 1 of 1 places; read without it in 'Sloppy::check_absent' [fearless-missing-guarded-by]
};
