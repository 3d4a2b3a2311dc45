//===--- Process.cpp - child processes that a signal stops ----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//=== ---------------------------------------------------------------------===//

#include "Process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

extern char **environ;

namespace fearless::driver {

namespace {

std::mutex ChildrenMutex;
std::set<pid_t> Children; // running children; guarded by ChildrenMutex
std::atomic<int> Interrupted{0};

sigset_t stopSignals() {
  sigset_t Set;
  sigemptyset(&Set);
  sigaddset(&Set, SIGINT);
  sigaddset(&Set, SIGTERM);
  sigaddset(&Set, SIGHUP);
  return Set;
}

} // namespace

void startSignalWatcher() {
  sigset_t Set = stopSignals();
  pthread_sigmask(SIG_BLOCK, &Set, nullptr);
  std::thread([Set] {
    int Signal = 0;
    if (sigwait(&Set, &Signal) != 0)
      return;
    // Invariant: a child is in Children from its spawn to its reaping, both
    // under ChildrenMutex, so once Interrupted is set under the same lock
    // no child can start and every running one gets the signal.
    std::lock_guard<std::mutex> Lock(ChildrenMutex);
    Interrupted = Signal;
    for (pid_t Pid : Children)
      kill(Pid, SIGTERM);
  }).detach();
}

int interruptedBy() { return Interrupted; }

std::string signalName(int Signal) {
  switch (Signal) {
  case SIGINT:
    return "SIGINT";
  case SIGTERM:
    return "SIGTERM";
  case SIGHUP:
    return "SIGHUP";
  default:
    return "signal " + std::to_string(Signal);
  }
}

ProcessResult runProcess(const std::vector<std::string> &Args,
                         const std::string &OutPath,
                         const std::string &ErrPath) {
  ProcessResult R;
  posix_spawn_file_actions_t Actions;
  posix_spawn_file_actions_init(&Actions);
  posix_spawn_file_actions_addopen(&Actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&Actions, 1, OutPath.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&Actions, 2, ErrPath.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  // The driver blocks the stop signals; its children must not inherit that.
  posix_spawnattr_t Attr;
  posix_spawnattr_init(&Attr);
  sigset_t Empty, Default = stopSignals();
  sigemptyset(&Empty);
  posix_spawnattr_setsigmask(&Attr, &Empty);
  posix_spawnattr_setsigdefault(&Attr, &Default);
  posix_spawnattr_setflags(&Attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char *> Argv;
  for (const std::string &A : Args)
    Argv.push_back(const_cast<char *>(A.c_str()));
  Argv.push_back(nullptr);

  pid_t Pid = 0;
  {
    std::lock_guard<std::mutex> Lock(ChildrenMutex);
    if (Interrupted) {
      R.Error = "interrupted";
    } else {
      int Err =
          posix_spawn(&Pid, Argv[0], &Actions, &Attr, Argv.data(), environ);
      if (Err != 0)
        R.Error = "cannot run '" + Args[0] + "': " + std::strerror(Err);
      else
        Children.insert(Pid);
    }
  }
  posix_spawn_file_actions_destroy(&Actions);
  posix_spawnattr_destroy(&Attr);
  if (!R.Error.empty())
    return R;
  int Status = 0;
  while (waitpid(Pid, &Status, 0) < 0 && errno == EINTR) {
  }
  {
    std::lock_guard<std::mutex> Lock(ChildrenMutex);
    Children.erase(Pid);
  }
  R.Started = true;
  R.Status = Status;
  return R;
}

} // namespace fearless::driver
