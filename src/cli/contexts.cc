// Contexts file handling.
#include "cli/contexts.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cloud::cli {
namespace {

std::string HomeDirectory() {
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') return home;
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
    return pw->pw_dir;
  }
  return ".";
}

Error FileError(std::string_view what, const std::string& path) {
  return Unavailable(std::string(what) + " " + path + ": " + std::strerror(errno));
}

}  // namespace

const CliContext* Contexts::Get(const std::string& name) const {
  if (!contexts) return nullptr;
  auto it = contexts->find(name);
  return it == contexts->end() ? nullptr : &it->second;
}

CliContext* Contexts::Get(const std::string& name) {
  if (!contexts) return nullptr;
  auto it = contexts->find(name);
  return it == contexts->end() ? nullptr : &it->second;
}

Contexts BootstrapFirstContext() {
  Contexts contexts;
  contexts.current_context = std::string(kLocalContextName);
  CliContext local;
  local.server_url = std::string(kLocalServerUrl);
  local.alias = std::string(kLocalContextName);
  contexts.contexts.emplace();
  contexts.contexts->emplace(std::string(kLocalContextName), std::move(local));
  return contexts;
}

std::string ContextFileDirectory() { return HomeDirectory() + "/.cloud"; }

std::string ContextFilePath() { return ContextFileDirectory() + "/contexts.json"; }

Result<Contexts> ReadContexts() {
  const std::string path = ContextFilePath();
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return FileError("failed to stat", path);
    Contexts contexts = BootstrapFirstContext();
    CLOUD_TRY_VOID(WriteContexts(contexts));
    return contexts;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return FileError("failed to read", path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  Result<Contexts> contexts = model::DecodeJson<Contexts>(buffer.str());
  if (!contexts) return contexts.error().WithContext("failed to parse " + path);
  return contexts;
}

Result<void> WriteContexts(const Contexts& contexts) {
  const std::string dir = ContextFileDirectory();
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return FileError("failed to create directory", dir);
  }
  const std::string path = ContextFilePath();
  const std::string data = model::EncodeJson(contexts) + "\n";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return FileError("failed to write", path);
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error error = FileError("failed to write", path);
      close(fd);
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return FileError("failed to write", path);
  return Ok();
}

}  // namespace cloud::cli
