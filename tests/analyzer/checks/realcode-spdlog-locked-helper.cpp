// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t
//
// Real code: spdlog 1.10.0, include/spdlog/details/registry-inl.h:
// registry::throw_if_exists_ (and register_logger_) read and write
// 'loggers_' without taking 'logger_map_mutex_' because every caller holds
// it; fearless-missing-guarded-by says "'loggers_' is written with
// 'logger_map_mutex_' held in 4 of 5 places; read without it in
// 'spdlog::details::registry::throw_if_exists_'". Reduced below: a private
// helper whose every caller in the class holds the lock runs with it held,
// and so does a helper called only from such a helper (register_logger_,
// called under the lock, calls throw_if_exists_: the real code's last
// false finding, "held in 5 of 5 places").

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

// Two levels, as in spdlog: add() -> insert() -> check_absent().
class Chained {
public:
  void add(int key) {
    std::lock_guard<std::mutex> l(mu_);
    insert(key);
  }
  void add_twice(int key) {
    std::lock_guard<std::mutex> l(mu_);
    insert(key);
    insert(key + 1);
  }

private:
  void insert(int key) {
    check_absent(key);
    keys_[key & 7] = key;
  }
  void check_absent(int key) {
    if (keys_[key & 7] == key)
      throw key;
  }
  std::mutex mu_;
  int keys_[8] = {};
};

// Its positive twin: one call of the outer helper does not hold the lock,
// so neither helper runs with it held.
class ChainedSloppy {
public:
  void add(int key) {
    std::lock_guard<std::mutex> l(mu_);
    insert(key);
    keys_[0] = key;
  }
  void add_unlocked(int key) { insert(key); }

private:
  void insert(int key) {
    check_absent(key);
    keys_[key & 7] = key;
  }
  void check_absent(int key) {
    if (keys_[key & 7] == key)
      throw key;
  }
  std::mutex mu_;
  int keys_[8] = {};
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'keys_' is written with 'mu_' held in 1 of 2 places; written without it in 'ChainedSloppy::insert' and 1 other function [fearless-missing-guarded-by]
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
