// Placeholder until the CRD generator lands (operator core issue).
return 0;
