// Stack traces for reports: captured only on slow paths (a new edge, a
// report) and symbolised to function and file:line only when printed, with
// elfutils' libdw.
#ifndef FEARLESS_SRC_STACKTRACE_H_
#define FEARLESS_SRC_STACKTRACE_H_

#include <atomic>
#include <string>
#include <vector>

namespace fearless::detail {

using Stack = std::vector<void *>;

/// Called before every symbol lookup, if set: a test's probe that no lookup
/// runs under the tracker's global lock (tests/runtime/tracker_report_test).
extern std::atomic<void (*)()> g_symbolize_hook;

/// The caller's stack, without the tracker's own frames (`skip` of them).
Stack capture_stack(int skip);

/// The same into `out` (at most `max` frames), without allocating: for
/// paths that may run often (a thread about to block). Returns the count.
int capture_stack(void **out, int max, int skip);

/// Like capture_stack(out, max, skip), cheap when the calling thread is
/// called from exactly where it was called last time: the thread keeps its
/// last capture with the stack slot each return address came from, and if
/// every slot still holds its return address the stack is the same and is
/// not unwound again (x86-64; elsewhere it always unwinds).
int capture_stack_again(void **out, int max, int skip);

/// Where return address `return_address` is in the user's code: the
/// innermost source frame at its call outside the runtime, the standard
/// library's headers and the C and C++ runtimes' libraries (libc,
/// libstdc++, libc++, fearless's own) -- its file (full path), line and column (0 if the
/// debug information has none), or, in code without a line table, "" and 0
/// with the function's name, or without symbols either (a stripped
/// program), "module+0xoffset". False if every frame there is the runtime's
/// or the standard library's (the caller looks further up the stack), or
/// the address is in no module.
bool user_site_at(void *return_address, std::string *file, int *line,
                  int *column, std::string *function);

/// One line per frame, "    #N function at file:line", indented by `indent`.
/// Frames inside the fearless runtime itself are left out.
std::string format_stack(const Stack &stack, const char *indent = "    ");

/// "function at file:line" for one code address (e.g. a return address).
std::string describe_address(void *address);

/// "function at file:line" for an acquisition: `pc` is a code address in
/// the (possibly inlined) acquisition, or null; if no source frame there is
/// the user's (user_site_at's rule), the acquiring frame's return address
/// `ret` is used.
std::string describe_code_site(void *pc, void *ret);

} // namespace fearless::detail

#endif // FEARLESS_SRC_STACKTRACE_H_
