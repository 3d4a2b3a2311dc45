// sync_channel has the same requirement as channel: a std::shared_ptr to a
// non-thread-safe object would be shared, not moved, across threads.
#include "fearless/channel.h"

#include <memory>
#include <vector>

int main() {
  auto [tx, rx] = fearless::sync_channel<std::shared_ptr<std::vector<int>>>(4);
  // EXPECT-ERROR: the message type of a fearless channel must be fearless::Send
  (void)tx;
}
