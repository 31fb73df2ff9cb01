// Aligned text tables for people: a header row, then one row per item, columns padded to
// their widest cell (counted in UTF-8 code points) and separated by two spaces.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plinth::ctl {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // A row with fewer cells than headers is padded with empty cells; extra cells are dropped.
  void add_row(std::vector<std::string> cells);
  // Numbers read better right-aligned.
  void align_right(std::size_t column);
  bool empty() const { return rows_.empty(); }

  // The table, each line ending in '\n', without trailing spaces.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_;
};

// "name:        demo-chat" lines: one record's fields, labels padded to the longest.
std::string render_fields(const std::vector<std::pair<std::string, std::string>>& fields);

// The display width of UTF-8 text in code points (wide characters count as one).
std::size_t display_width(std::string_view text);

}  // namespace plinth::ctl
