// Two locks shared by the translation units of the test project.
#include <mutex>

namespace project {
extern std::mutex AccountsMu;
extern std::mutex LogMu;
void transfer();
void flush();
} // namespace project
