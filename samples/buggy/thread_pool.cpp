// Buggy twin of samples/runtime/thread_pool.cpp: the jobs borrow a local
// vector instead of owning a shared one. The pool may run them after the
// vector is gone (here main() happens to destroy the pool first), and two
// workers push into it at once. Rust refuses it ("closure may outlive the
// current function, but it borrows `squares`").
//
// fearless: fearless-dangling-ref at the capture (execute() is marked
// FEARLESS_SPAWNS), and at run time "fearless: data race" between two
// workers' push_back (the vector is a fearless::Watched).
#include "../runtime/thread_pool.h"
#include "replay.h"

#include "fearless/watched.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {
// See replay.h: job 0 waits until job 1 has started on the other worker
// (one worker running both jobs would order them), then job 0 pushes first
// and job 1 second.
replay::Step step;
} // namespace

int main() {
  fearless::Watched<std::vector<int>> squares(fearless::named("squares"));
  {
    samples::ThreadPool pool(2);
    for (int i = 0; i < 2; ++i)
      pool.execute([&squares, i] { // Bug: borrows a local
        if (i == 1)
          step.reach(1);
        step.await(i == 0 ? 1 : 2);
        squares.update([i](std::vector<int> &v) { v.push_back(i * i); });
        step.reach(2);
      });
  } // joins the workers
  std::vector<int> v = squares.get();
  std::sort(v.begin(), v.end());
  std::printf("2 jobs on a pool of 2 workers: squares %d %d\n", v[0], v[1]);
  return 0;
}
