// Reading the recorded upstream payloads under tests/data/providers/ (PLINTH_TEST_DATA).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace plinth::providers::testing {

inline std::string read_data(const std::string& relative) {
  const char* root = std::getenv("PLINTH_TEST_DATA");
  EXPECT_NE(root, nullptr) << "set PLINTH_TEST_DATA to tests/data";
  const std::string path = std::string(root ? root : "tests/data") + "/providers/" + relative;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The data payloads of a recorded SSE stream (one `data:` line per event).
inline std::vector<std::string> sse_data(const std::string& text) {
  std::vector<std::string> events;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("data:", 0) != 0) continue;
    std::string data = line.substr(5);
    if (!data.empty() && data[0] == ' ') data.erase(0, 1);
    events.push_back(data);
  }
  return events;
}

}  // namespace plinth::providers::testing
