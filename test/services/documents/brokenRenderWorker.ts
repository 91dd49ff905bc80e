/** Test-only worker entry that cannot load, like a worker on a platform where it cannot start. */
export {};

throw new Error('this render worker cannot start');
