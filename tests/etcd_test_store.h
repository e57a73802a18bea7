// Test support: which store the integration suites run on. With the
// environment variable EVALD_TEST_STORE=etcd (ctest sets it for the
// "etcd." copies of the service and e2e suites, tests/CMakeLists.txt) every
// evald the tests start -- in-process or as a process -- runs on one
// 3-member etcd cluster on loopback that the test process starts at its
// first use and stops at exit, each under a prefix of its own.

#ifndef EVALD_TESTS_ETCD_TEST_STORE_H_
#define EVALD_TESTS_ETCD_TEST_STORE_H_

#include <string>

#include "tests/etcd_cluster.h"

namespace evald::testing {

// Whether this run's suites are to use etcd.
bool TestsUseEtcd();

// The process's shared cluster, started (and waited for) on first use.
// The drills kill and restart its members.
EtcdCluster& SharedEtcdCluster();

// "127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3" of the shared cluster.
std::string SharedEtcdEndpoints();

// A prefix no other store of this test process has used.
std::string FreshEtcdPrefix();

}  // namespace evald::testing

#endif  // EVALD_TESTS_ETCD_TEST_STORE_H_
