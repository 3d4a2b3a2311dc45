// RUN: %check_fearless_tidy %s 'fearless-*' %t
//
// llvm-project #98004: "Thread safety analysis and temporaries": a scoped
// lock moved into a lambda's init-capture (and from there into a local of
// the lambda) or into a member of a wrapper struct draws false findings,
// because the destructors of the temporary and of the member are not seen.
// With std::unique_lock: the lock follows the moves and is released exactly
// once, so none of this is a finding. A temporary locker lives to the end
// of its full-expression: data read inside that expression is covered, data
// read after it is not (the positive twin).
#include <mutex>
#include <utility>
#include "fearless/thread_safety.h"

struct Value {
  std::mutex mu;
  int value FEARLESS_GUARDED_BY(mu) = 0;
};

int moved_into_lambda(Value &v) {
  std::unique_lock<std::mutex> reader(v.mu);
  return [reader2 = std::move(reader)]() mutable {
    auto reader3 = std::move(reader2);
    return 1;
  }();
}

int read_in_lambda(Value &v) {
  std::unique_lock<std::mutex> reader(v.mu);
  return [&v, reader2 = std::move(reader)]() mutable {
    auto reader3 = std::move(reader2);
    return v.value;
  }();
}

struct Wrapper {
  std::unique_lock<std::mutex> wrapped;
};

void moved_into_member(Value &v) {
  std::unique_lock<std::mutex> reader(v.mu);
  auto w = Wrapper{std::move(reader)};
  v.value = 2;
}

void moved_to_local(Value &v) {
  std::unique_lock<std::mutex> a(v.mu);
  std::unique_lock<std::mutex> b(std::move(a));
  v.value = 1;
}

int within_full_expression(Value &v) {
  return (std::lock_guard<std::mutex>(v.mu), v.value);
}

int after_full_expression(Value &v) {
  if (std::unique_lock<std::mutex>(v.mu).owns_lock()) {
  }
  return v.value;
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: reading variable 'value' requires holding mutex 'v.mu' [fearless-guarded-by]
}
