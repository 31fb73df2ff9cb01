#include "../../../bench/mock-upstream/body_scan.h"

#include <gtest/gtest.h>

namespace plinth::bench {
namespace {

TEST(BenchBodyScan, WantsStreamAcceptsAnySpacing) {
  EXPECT_TRUE(wants_stream(R"({"model":"m","stream":true})"));
  EXPECT_TRUE(wants_stream("{\"stream\" :\n true}"));
  EXPECT_FALSE(wants_stream(R"({"stream":false})"));
  EXPECT_FALSE(wants_stream(R"({"messages":[{"content":"stream"}]})"));
  EXPECT_FALSE(wants_stream(R"({"stream_options":{"include_usage":true}})"));
  EXPECT_FALSE(wants_stream(""));
}

TEST(BenchBodyScan, CountsEmbeddingInputs) {
  EXPECT_EQ(count_embedding_inputs(R"({"input":"one"})"), 1u);
  EXPECT_EQ(count_embedding_inputs(R"({"input":["a","b, \"c\"","d]"]})"), 3u);
  EXPECT_EQ(count_embedding_inputs(R"({"input": [1, 2, 3]})"), 1u);
  EXPECT_EQ(count_embedding_inputs(R"({"input":[[1,2],[3],[4,5,6]]})"), 3u);
  EXPECT_EQ(count_embedding_inputs(R"({"model":"m"})"), 1u);
}

}  // namespace
}  // namespace plinth::bench
