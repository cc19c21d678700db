// Placeholder entry point; the hosting issue replaces it with the real silo host and its verbs.
Console.WriteLine("Pcrs.Silo");
