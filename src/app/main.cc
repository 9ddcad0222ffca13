// The `cloud` binary: `cloud server` runs the provisioning server; every other subcommand is
// the CLI. This file only wires things together (STYLE.md: one composition root).
#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "version") {
    std::puts("cloud 0.1.0");
    return 0;
  }
  std::fputs("usage: cloud <command>\n", stderr);
  return 1;
}
