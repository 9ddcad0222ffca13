#include "testlib/child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string_view>

extern char** environ;

namespace cloud::testlib {

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

pid_t SpawnLogged(std::vector<std::string> args, const std::string& log_path,
                  const std::vector<std::string>& env) {
  auto replaced = [&env](std::string_view var) {
    const std::string_view name = var.substr(0, var.find('=') + 1);
    for (const std::string& e : env) {
      if (std::string_view(e).substr(0, e.find('=') + 1) == name) return true;
    }
    return false;
  };
  std::vector<std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!replaced(*e)) vars.emplace_back(*e);
  }
  vars.insert(vars.end(), env.begin(), env.end());
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(log_fd);
  return pid;
}

}  // namespace cloud::testlib
