// A thread pool with a job channel (the Rust book's web-server pool, in
// thread_pool.h). Each job owns what it uses: a shared pointer to a Mutex
// holding the results.
//
// Rust:
//   let results = Arc::new(Mutex::new(Vec::new()));
//   for i in 0..4 { let r = Arc::clone(&results);
//                   pool.execute(move || r.lock().unwrap().push(i * i)); }
//   drop(pool);
//
// Buggy twin: samples/buggy/thread_pool.cpp.
#include "thread_pool.h"

#include "fearless/mutex.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

int main() {
  auto squares = std::make_shared<fearless::Mutex<std::vector<int>>>();
  {
    samples::ThreadPool pool(4);
    for (int i = 0; i < 4; ++i)
      pool.execute([squares, i] { squares->lock()->push_back(i * i); });
  } // joins the workers
  auto v = squares->lock();
  std::sort(v->begin(), v->end());
  std::printf("4 jobs on a pool of 4 workers: squares %d %d %d %d\n", (*v)[0],
              (*v)[1], (*v)[2], (*v)[3]);
  return *v == std::vector<int>{0, 1, 4, 9} ? 0 : 1;
}
