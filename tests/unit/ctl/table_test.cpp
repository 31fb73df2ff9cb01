#include "ctl/table.h"

#include <gtest/gtest.h>

namespace plinth::ctl {
namespace {

TEST(Table, PadsColumnsToTheWidestCellWithoutTrailingSpaces) {
  Table t({"NAME", "CALLS", "NOTE"});
  t.align_right(1);
  t.add_row({"demo-chat", "7", ""});
  t.add_row({"x", "1200", "ok"});
  EXPECT_EQ(t.render(),
            "NAME       CALLS  NOTE\n"
            "demo-chat      7\n"
            "x           1200  ok\n");
}

TEST(Table, CountsUtf8CodePointsAndKeepsRowsOnOneLine) {
  Table t({"A", "B"});
  t.add_row({"héllo", "x"});
  t.add_row({"two\nlines"});  // short rows are padded
  EXPECT_EQ(t.render(),
            "A          B\n"
            "héllo      x\n"
            "two lines\n");
  EXPECT_EQ(display_width("héllo"), 5u);
}

TEST(Table, EmptyTableIsItsHeader) {
  Table t({"KIND", "NAME"});
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.render(), "KIND  NAME\n");
}

TEST(RenderFields, AlignsValuesAfterTheLongestLabel) {
  EXPECT_EQ(render_fields({{"name", "demo"}, {"updated by", "key_1"}, {"notes", ""}}),
            "name:        demo\n"
            "updated by:  key_1\n"
            "notes:\n");
}

}  // namespace
}  // namespace plinth::ctl
