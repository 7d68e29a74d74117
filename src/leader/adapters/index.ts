/** The leader's adapters that other composition roots may use: the static mode's ScaleClient. */
export { StaticScaleClient, type StaticScaleClientOptions } from './static-scale-client.js';
