// The buggy twin of samples/runtime/channel_mpsc.cpp: the receiver forgets
// to drop its own sender, so `for (msg : rx)` never ends once the workers
// are done -- Rust compiles this too, and hangs (the Rust book warns about
// it). A progress thread keeps running meanwhile, so the process as a whole
// is not stuck and no "every thread is blocked" check would fire. fearless
// reports a partial deadlock ("a thread is blocked forever") about half a
// second after the last worker ended, naming the sender main still holds.
//
// A real program would stay blocked after the report; so that the demo
// ends, the report handler below prints it and exits.
#include "fearless/channel.h"
#include "fearless/mutex.h"
#include "fearless/report.h"
#include "fearless/thread.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {
std::atomic<int> g_received{0};
std::atomic<bool> g_done{false};
} // namespace

int main() {
  fearless::set_report_handler([](const fearless::Report &r) {
    std::fputs(r.to_string().c_str(), stderr);
    if (r.kind == fearless::ReportKind::deadlock) {
      std::printf("received %d messages from 3 producers, then waited for "
                  "a sender nobody will use\n",
                  g_received.load());
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(0);
    }
  });

  // Started before the channel exists, and never given a sender.
  auto progress = fearless::Builder().name("progress").spawn([] {
    fearless::Mutex<int> ticks(0);
    while (!g_done.load()) {
      ++*ticks.lock();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });

  auto [tx, rx] = fearless::channel<std::string>();

  std::vector<std::thread> workers;
  for (int id = 0; id < 3; ++id)
    workers.emplace_back([tx, id] { // a copy: one more live sender
      for (int i = 0; i < 4; ++i)
        tx.send("worker " + std::to_string(id) + " item " + std::to_string(i))
            .value(); // throws only if the receiver is gone (Rust: unwrap)
    });
  // Bug: `tx` is never dropped, so the loop waits for it forever.

  for (std::string msg : rx) // never ends: main holds a live sender
    g_received.fetch_add(1);
  for (auto &w : workers)
    w.join();
  g_done.store(true);
  progress.join();
  std::printf("received %d messages\n", g_received.load());
  return 0;
}
