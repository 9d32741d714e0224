/** What the IPAM features need: the app's dependencies plus the in-memory registry. */
import type { AppDeps } from "../app";
import type { IpamRegistry } from "./registry";

export interface IpamDeps extends AppDeps {
  registry: IpamRegistry;
}
