// Child processes for the tests that run the built `cloud` binary (tests/e2e/app/).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace cloud::testlib {

// A loopback TCP port that is free right now (bound to port 0, read back, closed), or -1.
int FreeLoopbackPort();

// Starts `args` (args[0] is the executable's path) with stdout and stderr written to `log_path`
// (truncated), and with this process's environment where each "KEY=value" of `env` replaces the
// variable of that name. Returns the child's pid, or -1 when the log cannot be opened or fork
// fails.
pid_t SpawnLogged(std::vector<std::string> args, const std::string& log_path,
                  const std::vector<std::string>& env = {});

}  // namespace cloud::testlib
