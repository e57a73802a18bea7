#include "server/feed_events.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/authz.h"
#include "server/validate.h"

namespace evald::server {
namespace {

v1::EventKind TrancheKindOf(const v1::TrancheTransition& t) {
  // A contract's schedule, made when the project is: nothing to act on.
  if (t.from() == v1::DISBURSEMENT_STATE_UNSPECIFIED && t.to() == v1::PENDING) {
    return v1::EVENT_KIND_UNSPECIFIED;
  }
  switch (t.to()) {
    case v1::DUE:
      return t.from() == v1::HELD ? v1::TRANCHE_HOLD_LIFTED : v1::TRANCHE_DUE;
    case v1::HELD:
      return v1::TRANCHE_HELD;
    case v1::WITHHELD:
      return v1::TRANCHE_WITHHELD;
    case v1::FORFEITED:
      return v1::TRANCHE_FORFEITED;
    case v1::RELEASED:
      return t.from() == v1::RELEASED ? v1::RELEASE_CORRECTED
                                      : v1::TRANCHE_RELEASED;
    default:
      return v1::TRANCHE_CHANGED;
  }
}

bool IsMoney(v1::EventKind kind) {
  return (kind >= v1::TRANCHE_DUE && kind <= v1::RELEASE_CORRECTED) ||
         kind == v1::CONTRACT_TERMINATED || kind == v1::TRANCHE_OVERDUE;
}

constexpr char kOverdueAction[] = "disbursement.overdue";

// A tranche's kind of change within `event`.
v1::EventKind TrancheKindIn(const std::string& action,
                            const v1::TrancheTransition& t) {
  return action == kOverdueAction ? v1::TRANCHE_OVERDUE : TrancheKindOf(t);
}

void AddKind(v1::FeedEvent& e, v1::EventKind kind) {
  if (std::find(e.kinds().begin(), e.kinds().end(), kind) == e.kinds().end()) {
    e.add_kinds(kind);
  }
}

}  // namespace

v1::FeedEvent FeedEventOf(int64_t cursor, const v1::AuditEvent& event,
                          const v1::Project* project) {
  v1::FeedEvent out;
  out.set_cursor(cursor);
  out.set_source("evald");
  out.set_id(absl::StrCat(event.project_id(), "/", event.sequence()));
  out.set_time(event.time());
  out.set_project_id(event.project_id());
  if (project != nullptr) out.set_township(project->township());
  out.set_action(event.action());
  out.set_principal(event.principal());
  out.set_detail(event.detail());
  if (event.action() == "disbursement.release_corrected") {
    AddKind(out, v1::RELEASE_CORRECTED);
  }
  for (const v1::Effect& effect : event.effects()) {
    switch (effect.kind_case()) {
      case v1::Effect::kTranche: {
        const v1::EventKind kind =
            TrancheKindIn(event.action(), effect.tranche());
        if (kind == v1::EVENT_KIND_UNSPECIFIED) break;
        *out.add_tranches() = effect.tranche();
        AddKind(out, kind);
        break;
      }
      case v1::Effect::kTerminated:
        *out.mutable_terminated() = effect.terminated();
        AddKind(out, v1::CONTRACT_TERMINATED);
        break;
      case v1::Effect::kRecord: {
        const std::string& name = effect.record().name();
        *out.add_records() = effect.record();
        if (name.rfind("principals/", 0) == 0 ||
            name.rfind("organisations/", 0) == 0) {
          AddKind(out, v1::REGISTRY_CHANGED);
        } else if (name.find("/phases/") != std::string::npos) {
          AddKind(out, v1::EVALUATION_CHANGED);
        } else {
          AddKind(out, v1::PROJECT_CHANGED);
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

std::optional<v1::FeedEvent> AsSeenBy(const Principal& who, v1::FeedEvent event,
                                      const v1::Project* project) {
  const bool bureau = who.role == Role::kBureau || who.role == Role::kAdmin;
  if (project == nullptr) {
    if (bureau) return event;
    return std::nullopt;
  }
  if (bureau) return event;
  if (who.role == Role::kFinance) {
    std::vector<v1::EventKind> money;
    for (int k : event.kinds()) {
      if (IsMoney(static_cast<v1::EventKind>(k))) {
        money.push_back(static_cast<v1::EventKind>(k));
      }
    }
    if (money.empty()) return std::nullopt;
    event.clear_kinds();
    for (v1::EventKind k : money) event.add_kinds(k);
    event.clear_records();
    return event;
  }
  if (!RelatedTo(who, *project)) return std::nullopt;
  return event;
}

bool Matches(const v1::FeedEvent& event, const v1::EventFilter& filter) {
  if (!filter.project_id().empty() &&
      event.project_id() != filter.project_id()) {
    return false;
  }
  if (!filter.township().empty() && event.township() != filter.township()) {
    return false;
  }
  if (filter.kinds().empty()) return true;
  for (int wanted : filter.kinds()) {
    if (std::find(event.kinds().begin(), event.kinds().end(), wanted) !=
        event.kinds().end()) {
      return true;
    }
  }
  return false;
}

void Narrow(v1::FeedEvent& event, const v1::EventFilter& filter) {
  if (filter.kinds().empty()) return;
  auto wanted = [&filter](v1::EventKind k) {
    return std::find(filter.kinds().begin(), filter.kinds().end(), k) !=
           filter.kinds().end();
  };
  google::protobuf::RepeatedPtrField<v1::TrancheTransition> kept;
  for (v1::TrancheTransition& t : *event.mutable_tranches()) {
    if (wanted(TrancheKindIn(event.action(), t))) *kept.Add() = std::move(t);
  }
  event.mutable_tranches()->Swap(&kept);
}

absl::Status ValidateFilter(const v1::EventFilter& filter) {
  if (!filter.project_id().empty()) {
    if (absl::Status s = ValidateId("filter.project_id", filter.project_id());
        !s.ok()) {
      return s;
    }
  }
  if (!filter.township().empty()) {
    if (absl::Status s = ValidateId("filter.township", filter.township());
        !s.ok()) {
      return s;
    }
  }
  for (int k : filter.kinds()) {
    if (k == v1::EVENT_KIND_UNSPECIFIED || !v1::EventKind_IsValid(k)) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter.kinds: ", k, " is not an event kind"));
    }
  }
  return absl::OkStatus();
}

}  // namespace evald::server
