//===--- Process.h - child processes that a signal stops ------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// fearless-check runs clang-tidy as child processes. Ctrl-C (SIGINT),
// SIGTERM and SIGHUP must stop them all and leave no temporary files behind:
// the signals are taken by one thread (sigwait), which kills every running
// child and refuses to start new ones; the driver then cleans up and exits
// 128 + the signal number, as a shell reports a killed command.
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_DRIVER_PROCESS_H
#define FEARLESS_DRIVER_PROCESS_H

#include <string>
#include <vector>

namespace fearless::driver {

/// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and the threads
/// it starts later) and starts the thread that handles them. Call once,
/// before any other thread starts.
void startSignalWatcher();

/// The signal that interrupted the run, or 0.
int interruptedBy();

struct ProcessResult {
  bool Started = false; ///< false: Error says why, or the run was interrupted
  int Status = 0;       ///< waitpid() status when Started
  std::string Error;
};

/// Runs \p Args (Args[0] is a path) with stdin from /dev/null and stdout and
/// stderr into \p OutPath and \p ErrPath, and waits for it. The child gets
/// the default signal dispositions and an empty signal mask.
ProcessResult runProcess(const std::vector<std::string> &Args,
                         const std::string &OutPath,
                         const std::string &ErrPath);

/// The name of a signal: "SIGINT".
std::string signalName(int Signal);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_PROCESS_H
