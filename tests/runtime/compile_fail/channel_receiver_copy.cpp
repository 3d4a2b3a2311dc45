// The Receiver is move-only: there is exactly one consumer.
#include "fearless/channel.h"

int main() {
  auto [tx, rx] = fearless::channel<int>();
  auto copy = rx; // EXPECT-ERROR: Receiver
  (void)copy;
}
