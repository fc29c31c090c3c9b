// Placeholder until the operator program lands (operator core issue).
return 0;
