// The machine the end-to-end tests simulate and tell the platform about: a 4-pole motor at
// 1480 rpm on an SKF 6205 (the CWRU rig's drive-end bearing), measured fast enough for
// envelope analysis.

/** 6.4 kHz: envelope analysis needs 3.2 kHz or more; the impacts ring at 0.3 × rate. */
export const MACHINE_RATE_HZ = 6400;
export const MACHINE_RPM = 1480;
/** The simulator's --bearing for an SKF 6205. */
export const SKF_6205 = 'balls=9,ball-mm=7.94,pitch-mm=39.04,angle=0';
