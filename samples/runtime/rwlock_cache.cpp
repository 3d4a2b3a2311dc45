// A read-mostly cache behind an RwLock: many readers at once, an
// occasional writer that fills a missing entry.
#include "fearless/rwlock.h"
#include "fearless/thread.h"

#include <cstdio>
#include <map>
#include <string>

namespace {

using Cache = fearless::RwLock<std::map<int, std::string>>;

std::string lookup(Cache &cache, int key) {
  {
    auto r = cache.read(); // shared: other readers proceed too
    if (auto it = r->find(key); it != r->end())
      return it->second;
  } // read lock released before taking the write lock (no upgrade)
  auto w = cache.write(); // exclusive; someone may have filled it meanwhile
  auto [it, inserted] =
      w->try_emplace(key, "value-" + std::to_string(key * key));
  return it->second;
}

} // namespace

int main() {
  Cache cache;
  fearless::scope([&](fearless::Scope &s) {
    for (int t = 0; t < 4; ++t)
      s.spawn([&cache] {
        for (int i = 0; i < 1000; ++i)
          (void)lookup(cache, i % 8);
      });
  });
  std::printf("cache holds %zu entries; key 3 -> %s\n", cache.read()->size(),
              lookup(cache, 3).c_str());
  return cache.read()->size() == 8 ? 0 : 1;
}
