#include "providers/inference.h"

namespace plinth::providers {

std::string_view operation_name(Operation op) {
  switch (op) {
    case Operation::kChat: return "chat";
    case Operation::kCompletion: return "completion";
    case Operation::kEmbedding: return "embedding";
  }
  return "chat";
}

}  // namespace plinth::providers
