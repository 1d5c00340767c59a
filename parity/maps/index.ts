// One file of mappings per concern; each registers itself on import.
import './base';
import './id';
import './density';
import './clustering';
import './compare';
