// A message type that is not Send cannot travel through a channel: the error
// names the channel and the rule, not an internal of the implementation.
#include "fearless/channel.h"

struct ThreadAffine {
  FEARLESS_NOT_SEND; // e.g. holds a thread-local handle
  int fd = 0;
};

int main() {
  auto [tx, rx] = fearless::channel<ThreadAffine>();
  // EXPECT-ERROR: the message type of a fearless channel must be fearless::Send
  (void)tx.send(ThreadAffine{});
}
