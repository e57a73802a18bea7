// Fuzzes request validation end to end: the first byte picks an RPC, the
// rest is its request message in protobuf wire format, and the Engine runs
// it against a real (temporary) RocksDB store as the bureau, the agency or
// a village committee (the registry and the event feed among them). No
// request may crash the service, and a refused one must change nothing.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "server/engine.h"
#include "server/organisation_file.h"
#include "storage/store.h"

namespace {

namespace v1 = ::evaluation::v1;
using evald::server::Principal;
using evald::server::Role;

struct World {
  std::string dir;
  std::unique_ptr<evald::storage::Store> store;
  std::unique_ptr<evald::server::Engine> engine;
};

World& TheWorld() {
  static World* world = [] {
    auto* w = new World;
    w->dir = (std::filesystem::temp_directory_path() /
              ("evald-fuzz-" + std::to_string(getpid())))
                 .string();
    evald::storage::StoreOptions options;
    options.path = w->dir;
    options.sync_writes = false;  // speed; durability is not under test
    options.verify_previous = true;
    w->store = *evald::storage::Store::Open(options);
    w->engine = std::make_unique<evald::server::Engine>(
        w->store.get(), evald::server::PolicySet(),
        evald::scoring::WorkingDayCalendar::BuiltIn());
    // The registry, and one project for the requests to aim at.
    auto organisations = evald::server::ParseOrganisationsFile(
        "nansha\tdistrict\t南沙区\nhuangge\ttownship\t黄阁镇\n"
        "PR1\tprovider\t承办\nAG1\tagency\t评估\n"
        "V01\tvillage\t大塘村\t\thuangge\n");
    if (!organisations.ok() ||
        !w->engine
             ->SeedOrganisations(*organisations,
                                 evald::server::PrincipalRegistry())
             .ok()) {
      std::abort();
    }
    v1::CreateProjectRequest p;
    p.set_request_id("seed");
    p.set_project_id("P1");
    p.set_name("fuzz");
    p.set_township("huangge");
    p.set_provider("PR1");
    p.add_villages("V01");
    p.set_start_date("2025-07-01");
    p.set_annual_fund_fen(260000000);
    p.set_agency("AG1");
    if (!w->engine->CreateProject({"bureau", Role::kBureau, "nansha"}, p)
             .ok()) {
      std::abort();
    }
    std::atexit([] { std::filesystem::remove_all(TheWorld().dir); });
    return w;
  }();
  return *world;
}

template <typename Request, typename Method>
void Run(const std::string& bytes, const Principal& who, Method method) {
  Request r;
  if (!r.ParseFromString(bytes)) return;
  World& w = TheWorld();
  const std::string before = *w.store->ContentDigest();
  auto result = ((*w.engine).*method)(who, r);
  if (!result.ok() && *w.store->ContentDigest() != before) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const Principal kWho[] = {{"bureau", Role::kBureau, "nansha"},
                                   {"agency-ag1", Role::kAgency, "AG1"},
                                   {"village-v01", Role::kVillage, "V01"}};
  const Principal& who = kWho[(data[0] >> 4) % 3];
  using E = evald::server::Engine;
  switch (data[0] % 10) {
    case 0:
      Run<v1::CreateProjectRequest>(bytes, who, &E::CreateProject);
      break;
    case 1:
      Run<v1::SubmitProfessionalScoreRequest>(bytes, who,
                                              &E::SubmitProfessionalScore);
      break;
    case 2:
      Run<v1::SubmitFinancialEvaluationRequest>(bytes, who,
                                                &E::SubmitFinancialEvaluation);
      break;
    case 3:
      Run<v1::RaiseVetoRequest>(bytes, who, &E::RaiseVeto);
      break;
    case 4:
      Run<v1::FinalizeEvaluationRequest>(bytes, who, &E::FinalizeEvaluation);
      break;
    case 5:
      Run<v1::ReleaseDisbursementRequest>(bytes, who, &E::ReleaseDisbursement);
      break;
    case 6:
      Run<v1::ListEvaluationsRequest>(bytes, who, &E::ListEvaluations);
      break;
    case 7:
      Run<v1::CreateOrganisationRequest>(bytes, who, &E::CreateOrganisation);
      break;
    case 8:
      Run<v1::ListEventsRequest>(bytes, who, &E::ListEvents);
      break;
    default:
      Run<v1::ReopenEvaluationRequest>(bytes, who, &E::ReopenEvaluation);
      break;
  }
  return 0;
}
