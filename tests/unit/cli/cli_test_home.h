// A temporary $HOME for CLI tests (contexts live in $HOME/.cloud), restored afterwards.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace cloud::cli {

class TempHomeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* old = std::getenv("HOME")) old_home_ = old;
    std::string tmpl = (std::filesystem::temp_directory_path() / "cloud-cli-home-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    home_ = tmpl;
    setenv("HOME", home_.c_str(), 1);
  }
  void TearDown() override {
    if (old_home_) {
      setenv("HOME", old_home_->c_str(), 1);
    } else {
      unsetenv("HOME");
    }
    std::error_code ec;
    std::filesystem::remove_all(home_, ec);
  }

  std::string ContextsFile() const { return home_ + "/.cloud/contexts.json"; }
  std::string ReadContextsFile() const {
    std::ifstream in(ContextsFile());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void WriteContextsFile(const std::string& text) const {
    std::filesystem::create_directories(home_ + "/.cloud");
    std::ofstream(ContextsFile()) << text;
  }

  std::string home_;
  std::optional<std::string> old_home_;
};

}  // namespace cloud::cli
