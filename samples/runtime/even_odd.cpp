// Two threads print 1..10 in alternation, one the odd numbers and one the
// even ones: each waits on a Condvar until it is its turn, prints, passes
// the turn and wakes the other. The turn lives inside the Mutex, so it can
// only be read or flipped with the lock held.
//
// Rust:
//   let state = Mutex::new(State { odd_turn: true, out: String::new() });
//   let mut st = cvar.wait_while(state.lock().unwrap(), |st| st.odd_turn !=
//   odd).unwrap(); st.out.push_str(&n.to_string()); st.odd_turn = !odd;
//   cvar.notify_one();
//
// Buggy twin: samples/buggy/even_odd.cpp.
#include "fearless/condvar.h"
#include "fearless/mutex.h"
#include "fearless/thread.h"

#include <cstdio>
#include <string>

namespace {

constexpr int kLast = 10;

struct State {
  bool odd_turn = true;
  std::string out;
};

class Printers {
public:
  void print(bool odd) {
    for (int n = odd ? 1 : 2; n <= kLast; n += 2) {
      auto state = state_.lock();
      turn_changed_.wait_while(state,
                               [odd](State &st) { return st.odd_turn != odd; });
      state->out += std::to_string(n) + ' ';
      state->odd_turn = !odd; // under the lock
      turn_changed_.notify_one();
    }
  }
  std::string out() { return state_.lock()->out; }

private:
  fearless::Mutex<State> state_;
  fearless::Condvar turn_changed_;
};

} // namespace

int main() {
  Printers printers;
  fearless::scope([&](fearless::Scope &s) {
    s.builder().name("odd").spawn([&printers] { printers.print(true); });
    s.builder().name("even").spawn([&printers] { printers.print(false); });
  });
  std::printf("printed in turn: %s\n", printers.out().c_str());
  return printers.out() == "1 2 3 4 5 6 7 8 9 10 " ? 0 : 1;
}
