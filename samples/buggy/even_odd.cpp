// Buggy twin of samples/runtime/even_odd.cpp: the turn flag lives outside
// the Mutex and is flipped without the lock ("a bool needs no lock"). A
// printer can check the flag under the lock, find it is not its turn, and
// before it sleeps the other printer flips the flag and notifies: the
// notification is lost, and both printers wait for ever (a lost wake-up).
// Rust cannot express it: the flag would have to be inside the Mutex.
//
// fearless: fearless-missing-guarded-by (lost wake-up) at the unlocked
// write, fearless-shared-ref for the Printers both threads share (a class
// with an unsynchronised member), and at run time "fearless: data race" on
// the flag (a fearless::Watched<bool>).
#include "fearless/condvar.h"
#include "fearless/mutex.h"
#include "fearless/thread.h"
#include "fearless/watched.h"
#include "replay.h"

#include <cstdio>
#include <string>

namespace {

constexpr int kLast = 10;
// See replay.h: the printers take their turns in order without waiting on
// the Condvar, so this run cannot lose a wake-up and hang; the race on the
// flag, which is what makes the wake-up losable, is reported all the same.
replay::Step step;

class Printers {
public:
  void print(bool odd) {
    for (int n = odd ? 1 : 2; n <= kLast; n += 2) {
      step.await(n - 1); // see replay.h
      {
        auto out = out_.lock();
        turn_changed_.wait_while(
            out, [&](std::string &) { return odd_turn_.get() != odd; });
        *out += std::to_string(n) + ' ';
      }
      odd_turn_.set(!odd); // Bug: written without the lock
      turn_changed_.notify_one();
      step.reach(n);
    }
  }
  std::string out() { return *out_.lock(); }

private:
  fearless::Mutex<std::string> out_;
  fearless::Condvar turn_changed_;
  fearless::Watched<bool> odd_turn_{fearless::named("odd_turn"), true};
};

} // namespace

int main() {
  Printers printers;
  fearless::scope([&](fearless::Scope &s) {
    s.builder().name("odd").spawn([&printers] { printers.print(true); });
    s.builder().name("even").spawn([&printers] { printers.print(false); });
  });
  std::printf("printed in turn: %s\n", printers.out().c_str());
  return 0;
}
