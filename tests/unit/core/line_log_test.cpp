#include "core/line_log.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace plinth {
namespace {

std::string temp_path() {
  std::string dir = (std::filesystem::temp_directory_path() / "plinth-linelog-XXXXXX").string();
  EXPECT_NE(::mkdtemp(dir.data()), nullptr);
  return dir + "/access.log";
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(LineLog, FlushWritesEveryLineWholeFromManyThreads) {
  const std::string path = temp_path();
  LineLog log(path);
  constexpr int kThreads = 4, kLines = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < kLines; ++i) {
        log.write("{\"thread\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) +
                  ",\"pad\":\"" + std::string(static_cast<std::size_t>(i % 200), 'x') + "\"}");
      }
    });
  }
  for (auto& th : threads) th.join();
  log.flush();
  const std::vector<std::string> lines = lines_of(path);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kLines));
  std::map<int, int> next;  // per thread, lines arrive in the order written
  for (const std::string& line : lines) {
    int t = -1, i = -1;
    ASSERT_EQ(std::sscanf(line.c_str(), "{\"thread\":%d,\"i\":%d,", &t, &i), 2) << line;
    EXPECT_EQ(i, next[t]++) << line;
    EXPECT_EQ(line.back(), '}') << line;
  }
}

TEST(LineLog, LinesWaitForABatchAndTheDestructorWritesTheRest) {
  const std::string path = temp_path();
  {
    LineLog log(path);
    log.write("first");
    log.flush();
    EXPECT_EQ(lines_of(path), std::vector<std::string>{"first"});
    log.write("second");
  }
  EXPECT_EQ(lines_of(path), (std::vector<std::string>{"first", "second"}));
}

TEST(LineLog, AFileThatCannotBeOpenedIsAnError) {
  EXPECT_THROW(LineLog("/nonexistent-dir/for/sure/access.log"), std::runtime_error);
}

}  // namespace
}  // namespace plinth
