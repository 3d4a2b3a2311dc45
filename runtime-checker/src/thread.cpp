// Threads: names, scope joining, and exceptions nobody joined to see.
#include "fearless/thread.h"
#include "fearless/report.h"

#include <pthread.h>

namespace fearless {
namespace {
thread_local std::string current_name;
std::atomic<std::uint64_t> finish_counter{0};
} // namespace

std::string_view current_thread_name() noexcept { return current_name; }

namespace detail {

void set_current_thread_name(std::string_view name) {
  current_name.assign(name);
#if defined(__linux__)
  // The kernel keeps 15 bytes plus the terminator.
  std::string os_name(name.substr(0, 15));
  pthread_setname_np(pthread_self(), os_name.c_str());
#endif
}

std::uint64_t next_finish_seq() noexcept {
  return finish_counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

ThreadStateBase::~ThreadStateBase() {
  if (!exception || observed)
    return;
  // A detached thread threw: say so rather than lose it (Rust prints a
  // panic message too).
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(exception);
  } catch (const std::exception &e) {
    what = e.what();
  } catch (...) {
  }
  Report r{ReportKind::thread_exception,
           "a detached thread ended with an exception nobody joined",
           "  exception: " + what + "\n", ""};
  // Tell the handler which thread threw, not which one released it last.
  r.thread = name.empty() ? std::string("<unnamed>") : name;
  emit_report(std::move(r));
}

} // namespace detail

void Scope::join_all() noexcept {
  for (;;) {
    std::thread t;
    // What the thread's on_thread_start named; states_ keeps it alive.
    detail::ThreadStateBase *handle = nullptr;
    {
      detail::AnnotatedLock lock(mu_);
      if (joined_ == threads_.size())
        return;
      handle = states_[joined_].get();
      t = std::move(threads_[joined_++]);
    }
    // A thread being joined may spawn more into the scope: they are
    // appended and joined by a later round of the loop.
    detail::on_block(handle, detail::WaitKind::join, false);
    t.join();
    detail::on_unblock(handle);
    handle->race.acquire(); // the scope's end sees what the thread did
  }
}

std::exception_ptr Scope::take_first_exception() noexcept {
  detail::AnnotatedLock lock(mu_);
  std::exception_ptr first;
  std::uint64_t first_seq = 0;
  for (auto &state : states_) {
    // Safety: every thread was joined, so its state is final; a handle that
    // joined it ran before (on a joined thread or in the scope's body).
    std::uint64_t seq;
    {
      detail::AnnotatedLock state_lock(state->mu);
      seq = state->finish_seq;
    }
    if (state->exception && !state->observed && (!first || seq < first_seq)) {
      first = state->exception;
      first_seq = seq;
    }
    state->observed = true;
  }
  return first;
}

} // namespace fearless
