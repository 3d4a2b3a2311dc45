// A field that every writer updates under the lock but one reader reads
// without it: the reader sees a torn or stale value, and nothing says which
// lock protects the field. fearless reports it as fearless-missing-guarded-by
// and proposes the annotation; fearless-guarded-by then checks every access.
#include "fearless/thread_safety.h"

#include <mutex>

namespace missing_guarded_by {

// Buggy: record() updates both counters under 'mu_', but count() reads
// 'count_' without it.
class Stats {
public:
  void record(long ms) {
    std::lock_guard<std::mutex> lock(mu_);
    total_ms_ += ms;
    ++count_;
  }
  long total() const {
    std::lock_guard<std::mutex> lock(mu_);
    return total_ms_;
  }
  int count() const { return count_; }

private:
  mutable std::mutex mu_;
  long total_ms_ = 0;
  int count_ = 0;
};

// Correct: every access holds 'mu_', and the fields say so.
class FixedStats {
public:
  void record(long ms) {
    std::lock_guard<std::mutex> lock(mu_);
    total_ms_ += ms;
    ++count_;
  }
  long total() const {
    std::lock_guard<std::mutex> lock(mu_);
    return total_ms_;
  }
  int count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

private:
  mutable std::mutex mu_;
  long total_ms_ FEARLESS_GUARDED_BY(mu_) = 0;
  int count_ FEARLESS_GUARDED_BY(mu_) = 0;
};

} // namespace missing_guarded_by
