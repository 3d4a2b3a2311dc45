// Compiled as C++03 by its project: only fearless-guarded-by applies.
#include <pthread.h>

namespace edges {
pthread_mutex_t OldMu = PTHREAD_MUTEX_INITIALIZER;
int old_counter() { return 0; }
} // namespace edges
