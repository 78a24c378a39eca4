// Smile Film applicator, the link node (ESP32-S3 board with WiFi): everything that talks to
// the hub (src/link/: the sync round, telemetry, console sessions), with its own transport key
// for the requests' signatures. It has no sensor, no actuator and no device key: it reaches the
// controller only through the link service (services/smilelink.md, docs/link-service.md), and
// the controller acts on nothing the hub did not MAC. A crash or a reboot here loses nothing:
// records stay on the controller until the hub's MAC'd ack reaches it.
import { startLink } from "./link/node"

await startLink()
