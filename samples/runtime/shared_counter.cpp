// A counter shared by several threads: Rust's Arc<Mutex<T>>.
//
// Rust:
//   let counter = Arc::new(Mutex::new(0));
//   for _ in 0..4 { let c = Arc::clone(&counter);
//                   handles.push(thread::spawn(move || *c.lock().unwrap() +=
//                   1)); }
#include "fearless/mutex.h"
#include "fearless/thread.h"

#include <cstdio>
#include <memory>
#include <vector>

int main() {
  // shared_ptr<Mutex<long>> is Send because Mutex<long> is ThreadSafe;
  // shared_ptr<long> would not compile in spawn().
  auto counter = std::make_shared<fearless::Mutex<long>>(0);

  std::vector<fearless::JoinHandle<void>> handles;
  for (int i = 0; i < 4; ++i)
    handles.push_back(fearless::spawn([counter] {
      for (int n = 0; n < 1000; ++n)
        *counter->lock() += 1; // the guard unlocks at the end of the statement
    }));
  for (auto &h : handles)
    h.join();

  std::printf("4 threads x 1000 increments: counter = %ld\n", *counter->lock());
  return *counter->lock() == 4000 ? 0 : 1;
}
