// Runs the shared StoreTest suite against both implementations, and stops the test
// PostgreSQL cluster (when a test started one) before the process exits.
#include "store_fixture.h"

namespace plinth::store::testing {
namespace {

class PgClusterEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PgCluster::shut_down_if_started(); }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new PgClusterEnvironment);

INSTANTIATE_TEST_SUITE_P(Store, StoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_name);

}  // namespace
}  // namespace plinth::store::testing
